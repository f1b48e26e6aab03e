package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaCache;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * Synchronous parameter averaging on Spark. Each round: broadcast the current average, let every
 * partition's persistent replica train {@code k} minibatches from its cursor, sum the results
 * weighted by examples with {@code treeAggregate}, divide on the driver. One Spark job per round;
 * no communication outside Spark.
 */
public final class ParameterAveragingTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTrainer.class);

  private final AveragingSettings settings;
  private final List<TrainingListener> listeners;

  public ParameterAveragingTrainer(AveragingSettings settings, List<TrainingListener> listeners) {
    this.settings = settings;
    this.listeners = List.copyOf(listeners);
  }

  /** Minibatches of the partition with the most: the length of an epoch in steps. */
  public int stepsPerEpoch(int[] partitionCounts) {
    int maxBatches = 0;
    for (int c : partitionCounts) {
      maxBatches = Math.max(maxBatches, BatchPlan.numBatches(c * settings.augmentation().copies(),
          settings.batchSize()));
    }
    return maxBatches;
  }

  /** Rounds per epoch at a fixed k. */
  public int roundsPerEpoch(int[] partitionCounts) {
    return (stepsPerEpoch(partitionCounts) + settings.frequency().k() - 1) / settings.frequency().k();
  }

  /** Trains {@code conf} (initialised from its seed) on {@code data} under a fresh run id. */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, MultiLayerConfiguration conf) {
    return fit(sc, data, conf, UUID.randomUUID().toString());
  }

  /**
   * Trains {@code conf} (initialised from its seed) on {@code data}.
   *
   * @param runId keys the executors' persistent replicas; unique per run
   */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, MultiLayerConfiguration conf, String runId) {
    Broadcast<String> confJson = sc.broadcast(conf.toJson());
    MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
    net.init();
    INDArray updaterView = settings.averageUpdater() && net.getUpdater(true) != null
        ? net.getUpdater(true).getStateViewArray() : null;
    float[] params = FloatArrays.flat(net.params());
    float[] updater = updaterView == null ? null : FloatArrays.flat(updaterView);
    int steps = stepsPerEpoch(data.partitionCounts());
    FrequencyController k = settings.frequency().controller();
    LOG.info("run {}: {} partitions, {} steps/epoch x {} epochs, {}, batch {} per replica, {} parameters{}", runId,
        data.partitions(), steps, settings.epochs(), k.describe(), settings.batchSize(), params.length,
        updater != null ? " + " + updater.length + " updater state" : "");

    List<RoundStats> rounds = new ArrayList<>();
    int iteration = 0;
    long samples = 0;
    int round = 0;
    long start = System.nanoTime();
    long broadcastNanos = 0;
    long jobNanos = 0;
    try {
      for (int epoch = 0; epoch < settings.epochs(); epoch++) {
        for (int step = 0; step < steps; ) {
          long t0 = System.nanoTime();
          round++;
          int roundK = k.next();
          RoundPlan plan = new RoundPlan(round, epoch, step, roundK, settings.batchSize(), settings.seed(),
              settings.shuffle(), settings.numClasses());
          Broadcast<ModelState> bc = sc.broadcast(new ModelState(params, updater, iteration, epoch));
          long t1 = System.nanoTime();
          ParameterSum sum = aggregate(data.blocks()
              .mapPartitionsWithIndex(new TrainRound(runId, confJson, bc, plan, updater != null, settings.augmentation()), true),
              data.partitions());
          long t2 = System.nanoTime();
          bc.destroy(false);
          broadcastNanos += t1 - t0;
          jobNanos += t2 - t1;
          float[] startParams = params;
          double spread = 0;
          double relSpread = 0;
          if (sum.examples() > 0) {
            params = sum.averageParams();
            spread = sum.replicaSpread(startParams, params);
            relSpread = spread / Math.max(1e-12, norm(params));
            if (updater != null) {
              float[] u = sum.averageUpdater();
              updater = u != null ? u : updater;
            }
          }
          List<WorkerStats> workers = sum.workers();
          int maxBatches = workers.stream().mapToInt(WorkerStats::batches).max().orElse(0);
          iteration += maxBatches;
          samples += sum.examples();
          step += roundK;
          double seconds = (System.nanoTime() - t0) / 1e9;
          List<WorkerStats> withSync = workers.stream().map(w -> w.withRoundSeconds(seconds)).toList();
          double busy = withSync.stream().mapToDouble(w -> w.computeSeconds() + w.dataSeconds()).max().orElse(0);
          RoundStats stats = new RoundStats(round, epoch + 1, roundK, sum.meanLoss(), sum.examples(), seconds,
              Math.max(0, seconds - busy), spread, relSpread, withSync);
          rounds.add(stats);
          k.observe(roundK, stats.busySeconds(), stats.syncSeconds(), maxBatches, relSpread);
          double elapsed = (System.nanoTime() - start) / 1e9;
          int remainingSteps = (steps - Math.min(step, steps)) + (settings.epochs() - epoch - 1) * steps;
          int totalRounds = round + (remainingSteps + k.next() - 1) / k.next();
          for (TrainingListener l : listeners) {
            l.onRound(stats, totalRounds, elapsed, samples);
          }
        }
      }
    } finally {
      ReplicaCache.release(runId);
      confJson.destroy(false);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    FloatArrays.assign(net.params(), params);
    if (updaterView != null && updater != null) {
      FloatArrays.assign(updaterView, updater);
    }
    net.setIterationCount(iteration);
    net.setEpochCount(settings.epochs());
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("frequency_mode", k.isAuto() ? "auto" : "fixed");
    info.put("frequency_final", k.next());
    info.put("frequency_controller", k.describe());
    info.put("driver_broadcast_seconds", broadcastNanos / 1e9);
    info.put("driver_job_seconds", jobNanos / 1e9);
    TrainingResult result = new TrainingResult(net, rounds, samples, wall, info);
    LOG.info("run {}: {} rounds, {} samples/s, sync fraction {}, straggler spread {}, mean k {}, {}", runId,
        rounds.size(), Math.round(result.samplesPerSecond()), String.format("%.3f", result.syncFraction()),
        String.format("%.3f", result.stragglerSpread()), String.format("%.1f", result.meanK()), k.describe());
    return result;
  }

  /**
   * Sums the replicas' results. Up to {@link #COLLECT_MAX_PARTITIONS} partitions the results are
   * collected and added on the driver in partition order, which is cheaper per round than
   * treeAggregate's extra stage and makes the sum independent of task completion order; beyond
   * that, treeAggregate keeps the driver's memory and merge work bounded.
   */
  static ParameterSum aggregate(org.apache.spark.api.java.JavaRDD<org.sparktrain.kernels.train.ReplicaUpdate> updates,
                                int partitions) {
    if (partitions > COLLECT_MAX_PARTITIONS) {
      return updates.treeAggregate(new ParameterSum(), new ParameterSum.Add(), new ParameterSum.Merge(), 2);
    }
    List<org.sparktrain.kernels.train.ReplicaUpdate> all = new ArrayList<>(updates.collect());
    all.sort(java.util.Comparator.comparingInt(org.sparktrain.kernels.train.ReplicaUpdate::partition));
    ParameterSum sum = new ParameterSum();
    for (org.sparktrain.kernels.train.ReplicaUpdate u : all) {
      sum.add(u);
    }
    return sum;
  }

  /** Collect-and-sum below this many partitions, treeAggregate above. */
  static final int COLLECT_MAX_PARTITIONS = 32;

  private static double norm(float[] a) {
    double s = 0;
    for (float v : a) {
      s += (double) v * v;
    }
    return Math.sqrt(s);
  }
}
