package org.sparktrain.jobs;

import java.io.PrintWriter;
import org.sparktrain.driver.output.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The sparktrain command line: the shaded jar's Main-Class, so
 * {@code spark-submit [spark options] sparktrain.jar train --config ...} works on any cluster.
 */
@Command(name = "sparktrain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Distributed deep-learning training on Apache Spark with parameter averaging.",
    subcommands = {TrainCommand.class, RetrainCommand.class, RegistryCommand.class, PruneCommand.class, PredictCommand.class, EvaluateCommand.class,
        ExportTableCommand.class, DeployCommand.class,
        BenchCommand.class, LatencyCommand.class, ReportCommand.class, ExportImagesCommand.class, AugmentPreviewCommand.class,
        AugmentBenchCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
  static {
    // Before anything touches ND4J: JavaCPP must see which native build this jar carries.
    org.sparktrain.kernels.device.NativeBackend.select();
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns the exit code (see {@link ExitCodes}); never calls System.exit. */
  public static int run(String... args) {
    return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
  }

  /** The configured picocli command line writing to the given streams. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(new ErrorReporter());
    return cl;
  }

  /** Version line: sparktrain version and git commit. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"sparktrain " + BuildInfo.get("sparktrain.version") + " (commit "
          + BuildInfo.get("git.commit") + ", DL4J " + BuildInfo.get("dl4j.version") + ", Spark "
          + BuildInfo.get("spark.version") + ")"};
    }
  }
}
