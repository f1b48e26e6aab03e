package org.sparktrain.driver.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.train.RoundStats;
import org.sparktrain.driver.train.TrainingListener;
import org.sparktrain.driver.train.TrainingResult;
import org.sparktrain.driver.train.WorkerStats;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.train.Replica;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * Plain DL4J in one process, no Spark: the baseline, and the path for users moving from a single
 * machine. One {@link Replica} trains every minibatch in the seeded order of a one-partition
 * sparktrain run (same code path, no parameter exchange), and the engine reports
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
    Replica replica = new Replica(ctx.model());
    AugmentationPipeline aug = c.augmentation().pipeline();
    int steps = BatchPlan.numBatches(block.count() * aug.copies(), batch);
    int totalRounds = (steps + k - 1) / k * c.training().epochs();
    String worker = "driver pid " + ProcessHandle.current().pid();
    List<RoundStats> rounds = new ArrayList<>();
    long samples = 0;
    int round = 0;
    long start = System.nanoTime();
    for (int epoch = 0; epoch < c.training().epochs(); epoch++) {
      replica.network().setEpochCount(epoch);
      for (int first = 0; first < steps; first += k) {
        long t0 = System.nanoTime();
        round++;
        RoundPlan plan = new RoundPlan(round, epoch, first, k, batch, c.seed(), c.data().shuffle(),
            c.data().numClasses());
        ReplicaUpdate u = replica.train(block, plan, 0, false, worker, null, 0, "cpu", aug);
        samples += u.examples();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double loss = u.lossSum() / Math.max(1, u.examples());
        WorkerStats w = new WorkerStats(0, worker, "cpu", u.examples(), u.batches(), loss, u.computeSeconds(),
            u.dataSeconds(), 0, Math.max(0, seconds - u.computeSeconds() - u.dataSeconds()));
        RoundStats stats = new RoundStats(round, epoch + 1, k, loss, u.examples(), seconds, 0, 0, 0, List.of(w));
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
    return new TrainingResult(replica.network(), rounds, samples, wall, info);
  }
}
