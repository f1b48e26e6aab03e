package org.sparktrain.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's headless Chromium, as the report tests drive it: the rendered DOM's verdict and a screenshot. */
final class Chromium {
  static final Path BINARY = Path.of("/usr/bin/chromium");

  private Chromium() {}

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /**
   * What a report page said about itself after loading: its {@code <body>} attributes.
   *
   * @param console the browser's console lines naming errors (Chromium's own logging excluded)
   */
  record Verdict(boolean ready, int charts, String blank, String errors, List<String> console) {}

  static Verdict render(Path html) throws IOException, InterruptedException {
    Result r = run(List.of("--dump-dom", html.toUri().toString()));
    Matcher body = Pattern.compile("<body([^>]*)>").matcher(r.out);
    if (!body.find()) {
      throw new AssertionError("no <body> in Chromium's DOM of " + html + ": " + r.err);
    }
    String attrs = body.group(1);
    List<String> console = new ArrayList<>();
    for (String line : r.err.lines().toList()) {
      if (line.contains(":CONSOLE(") || line.contains("Uncaught")) {
        console.add(line);
      }
    }
    return new Verdict("1".equals(attr(attrs, "data-ready")), parseInt(attr(attrs, "data-charts")),
        attr(attrs, "data-blank"), attr(attrs, "data-errors"), console);
  }

  static void screenshot(Path html, Path png, int width, int height) throws IOException, InterruptedException {
    run(List.of("--window-size=" + width + "," + height, "--screenshot=" + png, html.toUri().toString()));
    if (!Files.exists(png)) {
      throw new AssertionError("Chromium wrote no screenshot " + png);
    }
  }

  private record Result(String out, String err) {}

  private static Result run(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
        "--hide-scrollbars", "--no-first-run", "--disable-extensions", "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=10000"));
    cmd.addAll(args);
    Path out = Files.createTempFile("chromium", ".out");
    Path err = Files.createTempFile("chromium", ".err");
    try {
      Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("Chromium did not finish in 120 s: " + cmd);
      }
      return new Result(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String attr(String attrs, String name) {
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(attrs);
    return m.find() ? m.group(1).replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
        : null;
  }

  private static int parseInt(String s) {
    return s == null || s.isEmpty() ? -1 : Integer.parseInt(s);
  }
}
