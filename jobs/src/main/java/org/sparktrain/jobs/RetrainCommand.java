package org.sparktrain.jobs;

import java.io.PrintStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.output.AtomicFile;
import org.sparktrain.driver.output.Secrets;
import org.sparktrain.driver.retrain.Retrain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparktrain retrain}: the nightly job. One command a scheduler runs; its exit code says how
 * the night ended ({@link ExitCodes}: 0 promoted, 8 gate rejected, 9 no new data, 10 data check
 * failed, 11 training failed, 12 registry conflict, 13 verification failed).
 */
@Command(name = "retrain", mixinStandardHelpOptions = true,
    description = "Nightly retraining: check the date's snapshot, train a challenger (warm-started from the champion), "
        + "compare both on the frozen holdout, promote or record why not. Exit codes: 0 promoted, 8 gate rejected "
        + "(not a failure), 9 no new data, 10 data check failed, 11 training failed, 12 registry conflict, "
        + "13 verification failed, 2 bad config.")
final class RetrainCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config with registry.* and "
      + "retrain.* (local path or Hadoop URI).")
  String config;

  @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "The snapshot date ({date} in data paths); "
      + "default: today in retrain.time_zone.")
  String date;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--metrics-file", paramLabel = "FILE", description = "Also write the night's metrics.prom here "
      + "(e.g. node_exporter's textfile collector directory).")
  String metricsFile;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: set by the launcher).")
  String master;

  @Option(names = "--succeed-on", split = ",", paramLabel = "OUTCOME", description = "Exit 0 for these outcomes "
      + "(gate-rejected, no-new-data) on platforms that only know success and failure (EMR steps, Dataproc jobs, "
      + "Kubernetes pods, SparkSubmitOperator); the outcome stays in the ledger and metrics.prom.")
  List<String> succeedOn = new ArrayList<>();

  @Override
  public Integer call() {
    TrainConfig cfg = TrainCommand.loadConfig(config, overrides);
    LocalDate day;
    try {
      day = date == null ? Retrain.today(cfg) : LocalDate.parse(date);
    } catch (DateTimeParseException e) {
      throw new ConfigException("--date", "'" + date + "' is not a date; allowed: YYYY-MM-DD");
    }
    for (String s : succeedOn) {
      if (!ExitCodes.SUCCEED_ON.contains(s)) {
        throw new ConfigException("--succeed-on", "'" + s + "' is not an outcome; allowed: " + ExitCodes.SUCCEED_ON);
      }
    }
    Retrain.requireRunnable(cfg);
    PrintStream out = System.out;
    Retrain.Outcome o;
    try (JavaSparkContext sc = SparkContexts.create("sparktrain retrain " + day, master, cfg.monitoring().metrics())) {
      o = Retrain.run(sc, cfg, day, out);
      if (metricsFile != null && !o.repeated()) {
        String workProm = new Path(workDir(cfg, day), "metrics.prom").toString();
        copy(sc, workProm, metricsFile);
      }
    }
    int code = code(o.decision());
    if ((code == ExitCodes.GATE_REJECTED && succeedOn.contains("gate-rejected"))
        || (code == ExitCodes.NO_NEW_DATA && succeedOn.contains("no-new-data"))) {
      out.println("retrain: " + o.decision() + " (exit " + code + ") reported as success (--succeed-on)");
      return ExitCodes.OK;
    }
    return code;
  }

  private static String workDir(TrainConfig cfg, LocalDate day) {
    String wd = cfg.retrain().workDir();
    String base = wd == null || wd.isBlank() ? new Path(new Path(cfg.registry().uri(), cfg.registry().model()), "runs")
        .toString() : wd;
    return new Path(base, day.toString()).toString();
  }

  private static void copy(JavaSparkContext sc, String from, String to) {
    try {
      Path p = new Path(from);
      try (java.io.InputStream in = p.getFileSystem(sc.hadoopConfiguration()).open(p)) {
        AtomicFile.writeText(to, Secrets.redact(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)),
            true, sc.hadoopConfiguration());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot copy metrics.prom to " + to + ": " + e.getMessage(), e);
    }
  }

  /** The exit code of a night's decision. */
  static int code(Retrain.Decision d) {
    return switch (d) {
      case PROMOTED -> ExitCodes.OK;
      case REJECTED -> ExitCodes.GATE_REJECTED;
      case NO_NEW_DATA -> ExitCodes.NO_NEW_DATA;
      case DATA_CHECK_FAILED, DRIFT_DETECTED -> ExitCodes.DATA_CHECK_FAILED;
      case TRAINING_FAILED -> ExitCodes.TRAINING_FAILED;
      case CONFLICT -> ExitCodes.REGISTRY_CONFLICT;
    };
  }
}
