package org.sparktrain.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.TrainingRun;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.Networks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparktrain prune}: start from a trained model, prune it as the config's {@code pruning:}
 * section says (one-shot or gradual) while fine-tuning on the config's data, and write the pruned
 * model with its size, sparsity and latency figures.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = "Prune and fine-tune a trained model (model.zip) with the config's pruning section; writes the "
        + "pruned model.zip, model-sparse.bin (and model-structured.zip / model-int8.bin), metrics.json.")
final class PruneCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "MODEL_ZIP",
      description = "The trained model to prune (model.zip of a run; local path or Hadoop URI).")
  String model;

  /** {@code --config} names the data, the model's layers (as it was trained), pruning and fine-tuning epochs. */
  @Mixin
  RunOptions run;

  @Override
  public Integer call() {
    TrainConfig cfg = run.load();
    if (!cfg.pruning().enabled()) {
      throw new ConfigException("pruning.method", "is none in " + run.config + "; prune needs magnitude or structured "
          + "(e.g. --set pruning.method=magnitude)");
    }
    TrainingRun.resumes(cfg, run.overwrite, false, new Configuration());
    TrainingRun.WarmStart warm = read(model);
    System.out.printf("pruning %s (%,d parameters, sha256 %s...)%n", model, warm.network().numParams(),
        warm.sha256().substring(0, 12));
    try (JavaSparkContext sc = SparkContexts.create("sparktrain prune", run.master)) {
      TrainingRun.run(sc, cfg, run.overwrite, false, System.out, List.of(), warm);
    }
    return ExitCodes.OK;
  }

  /** The model file restored, with its hash; a missing or unreadable file names itself. */
  static TrainingRun.WarmStart read(String file) {
    Path path = new Path(file);
    byte[] bytes;
    try (InputStream in = path.getFileSystem(new Configuration()).open(path)) {
      bytes = in.readAllBytes();
    } catch (java.io.FileNotFoundException e) {
      throw new ConfigException("--model", "file " + file + " does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model " + file + ": " + e.getMessage(), e);
    }
    Network net;
    try {
      net = Networks.restore(new java.io.ByteArrayInputStream(bytes), file);
    } catch (IOException | RuntimeException e) {
      throw new CorruptDataException(file, "is not a DL4J model file (" + e.getMessage() + ")");
    }
    try {
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      return new TrainingRun.WarmStart(file, sha, net);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
