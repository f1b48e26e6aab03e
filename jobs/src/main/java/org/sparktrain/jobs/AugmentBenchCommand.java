package org.sparktrain.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.train.Minibatches;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparktrain augment-bench}: examples per second per core of a config's augmentation
 * pipeline on one thread, measured as training consumes it (minibatch assembly with augmentation,
 * against the same assembly without).
 */
@Command(name = "augment-bench", mixinStandardHelpOptions = true,
    description = "Measure augmentation throughput (examples/s on one core) of a config's pipeline.")
final class AugmentBenchCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config with augmentation.")
  String config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config override (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--examples", defaultValue = "20000", description = "Examples per pass (default ${DEFAULT-VALUE}).")
  int examples;

  @Option(names = "--passes", defaultValue = "5", description = "Timed passes after one warm-up (default ${DEFAULT-VALUE}).")
  int passes;

  @Override
  public Integer call() {
    TrainConfig cfg = TrainCommand.loadConfig(config, overrides);
    TrainConfig.Data d = cfg.data();
    ExampleBlock block = LocalExamples.first(cfg, examples, new Configuration());
    AugmentationPipeline aug = cfg.augmentation().pipeline();
    int batch = cfg.training().batchSize();
    double with = rate(block, aug, batch, d.numClasses(), cfg.seed());
    double without = rate(block, AugmentationPipeline.none(), batch, d.numClasses(), cfg.seed());
    System.out.printf(Locale.ROOT, "augmentation pipeline (%d ops, copies %d): %,.0f examples/s on one core "
            + "(minibatch assembly with augmentation; without: %,.0f examples/s)%n",
        cfg.augmentation().ops() == null ? 0 : cfg.augmentation().ops().size(), aug.copies(), with, without);
    return ExitCodes.OK;
  }

  private double rate(ExampleBlock block, AugmentationPipeline aug, int batch, int classes, long seed) {
    double best = 0;
    for (int pass = 0; pass <= passes; pass++) {
      long t0 = System.nanoTime();
      for (int from = 0; from < block.count(); from += batch) {
        int n = Math.min(batch, block.count() - from);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
          idx[i] = from + i;
        }
        Minibatches.dataSet(block, idx, classes, aug, seed, pass);
      }
      double r = block.count() / ((System.nanoTime() - t0) / 1e9);
      if (pass > 0) {
        best = Math.max(best, r);
      }
    }
    return best;
  }
}
