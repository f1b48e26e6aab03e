package org.sparktrain.jobs;

import java.util.ArrayList;
import java.util.List;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.TrainConfig;
import picocli.CommandLine.Option;

/** The options every command that runs training takes ({@code train}, {@code prune}): a picocli mixin. */
final class RunOptions {
  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "YAML config (local path or Hadoop URI).")
  String config;

  @Option(names = "--output", paramLabel = "DIR", description = "Output directory (overrides output.dir).")
  String output;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override a config key, e.g. --set training.epochs=2 (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--overwrite", description = "Start a new run even if the output directory holds results or "
      + "checkpoints (replaced once the new run finishes).")
  boolean overwrite;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (e.g. local[2]); default: what spark-submit or bin/sparktrain set.")
  String master;

  /** The resolved config with {@code --output} applied; an output directory is required. */
  TrainConfig load() {
    TrainConfig cfg = TrainCommand.loadConfig(config, overrides);
    if (output != null) {
      cfg = cfg.withOutputDir(output);
    }
    if (cfg.output().dir() == null) {
      throw new ConfigException("output.dir", "is required: pass --output DIR or set output.dir in " + config);
    }
    return cfg;
  }
}
