package org.sparktrain.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.TrainingRun;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.engine.TrainingEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparktrain train}: train a model with synchronous parameter averaging. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model with parameter averaging across Spark executors and write model.zip, "
        + "metrics.json, config.yaml and provenance.json into the output directory.")
final class TrainCommand implements Callable<Integer> {

  @Mixin
  RunOptions run;

  @Option(names = "--resume", description = "Continue the interrupted run in the output directory from its newest "
      + "verified checkpoint (also done automatically when the directory holds checkpoints and no finished run).")
  boolean resume;

  @Override
  public Integer call() {
    TrainConfig cfg = run.load();
    boolean overwrite = run.overwrite;
    // Fails fast (output exists, nothing to resume) before Spark starts; run() decides again with the
    // cluster's Hadoop configuration.
    TrainingRun.resumes(cfg, overwrite, resume, new Configuration());
    PrintStream out = System.out;
    // tables and columnar files are read by Spark SQL, whichever engine trains
    if (!TrainingEngine.named(cfg.engine()).usesSpark() && !cfg.data().tabular()) {
      TrainingRun.run(null, cfg, overwrite, resume, out, List.of());
      return ExitCodes.OK;
    }
    try (JavaSparkContext sc = SparkContexts.create("sparktrain train", run.master, cfg.monitoring().metrics())) {
      TrainingRun.run(sc, cfg, overwrite, resume, out, List.of());
    }
    return ExitCodes.OK;
  }

  /** Reads and resolves a config file from a local path or Hadoop URI. */
  static TrainConfig loadConfig(String file, List<String> overrides) {
    Path path = new Path(file);
    try (InputStream in = path.getFileSystem(new Configuration()).open(path)) {
      return ConfigLoader.load(file, in, overrides);
    } catch (java.io.FileNotFoundException e) {
      throw new ConfigException("--config", "file " + file + " does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config " + file + ": " + e.getMessage(), e);
    }
  }
}
