package org.sparktrain.driver.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.train.RoundStats;
import org.sparktrain.driver.train.TrainingListener;
import org.sparktrain.driver.train.TrainingResult;
import org.sparktrain.driver.train.WorkerStats;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.train.Replica;

/**
 * Plain DL4J in one process, no Spark: the baseline, and the path for users moving from a single
 * machine. Visits the data in the same seeded order a one-partition sparktrain run does, and reports
 * a pseudo-round every k minibatches so progress and metrics look alike.
 */
public final class SingleProcessEngine implements TrainingEngine {
  @Override
  public boolean usesSpark() {
    return false;
  }

  @Override
  public TrainingResult train(EngineContext ctx) {
    TrainConfig c = ctx.config();
    ExampleBlock block = ctx.train().local();
    int batch = c.training().batchSize();
    int k = c.averaging().k();
    int classes = c.data().numClasses();
    MultiLayerNetwork net = new MultiLayerNetwork(ctx.network().clone());
    net.init();
    AugmentationPipeline aug = c.augmentation().pipeline();
    int steps = BatchPlan.numBatches(block.count() * aug.copies(), batch);
    int roundsPerEpoch = (steps + k - 1) / k;
    int totalRounds = roundsPerEpoch * c.training().epochs();
    List<RoundStats> rounds = new ArrayList<>();
    long samples = 0;
    int round = 0;
    long start = System.nanoTime();
    for (int epoch = 0; epoch < c.training().epochs(); epoch++) {
      net.setEpochCount(epoch);
      BatchPlan plan = BatchPlan.of(block.count() * aug.copies(), batch, c.seed(), epoch, 0, c.data().shuffle());
      for (int first = 0; first < steps; first += k) {
        long t0 = System.nanoTime();
        long examples = 0;
        double lossSum = 0;
        long dataNanos = 0;
        long computeNanos = 0;
        int last = Math.min(steps, first + k);
        for (int s = first; s < last; s++) {
          long a = System.nanoTime();
          DataSet ds = Replica.minibatch(block, plan.batch(s), classes, aug, c.seed(), epoch);
          long b = System.nanoTime();
          net.fit(ds);
          long e = System.nanoTime();
          lossSum += net.score() * ds.numExamples();
          examples += ds.numExamples();
          dataNanos += b - a;
          computeNanos += e - b;
        }
        round++;
        samples += examples;
        double seconds = (System.nanoTime() - t0) / 1e9;
        double loss = lossSum / Math.max(1, examples);
        WorkerStats w = new WorkerStats(0, "driver pid " + ProcessHandle.current().pid(), "cpu", examples, last - first,
            loss, computeNanos / 1e9, dataNanos / 1e9, 0, Math.max(0, seconds - (computeNanos + dataNanos) / 1e9));
        RoundStats stats = new RoundStats(round, epoch + 1, k, loss, examples, seconds, 0, 0, 0, List.of(w));
        rounds.add(stats);
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (TrainingListener l : ctx.listeners()) {
          l.onRound(stats, totalRounds, elapsed, samples);
        }
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("engine_note", "single process, no averaging; rounds are reporting intervals of k minibatches");
    return new TrainingResult(net, rounds, samples, wall, info);
  }
}
