package org.sparktrain.jobs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the CLI in-process as the tests do: exit code, stdout and stderr. */
final class Cli {
  private Cli() {}

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** A shipped config file of the repository, as an absolute path. */
  static String conf(String name) {
    return Path.of(System.getProperty("sparktrain.repo.root", "..")).resolve("conf").resolve(name).toString();
  }
}
