package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaCache;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * Synchronous parameter averaging on Spark. Each round: broadcast the current average, let every
 * partition's replica train {@code k} minibatches from its cursor, sum the results weighted by
 * examples with {@code treeAggregate}, divide on the driver. One Spark job per round; no
 * communication outside Spark.
 */
public final class ParameterAveragingTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTrainer.class);

  private final AveragingSettings settings;
  private final List<TrainingListener> listeners;

  public ParameterAveragingTrainer(AveragingSettings settings, List<TrainingListener> listeners) {
    this.settings = settings;
    this.listeners = List.copyOf(listeners);
  }

  /** Rounds per epoch: enough for the partition with the most minibatches. */
  public int roundsPerEpoch(int[] partitionCounts) {
    int maxBatches = 0;
    for (int c : partitionCounts) {
      maxBatches = Math.max(maxBatches, BatchPlan.numBatches(c, settings.batchSize()));
    }
    return (maxBatches + settings.frequency() - 1) / settings.frequency();
  }

  /**
   * Trains {@code conf} (initialised from its seed) on {@code data}.
   */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, MultiLayerConfiguration conf) {
    return fit(sc, data, conf, UUID.randomUUID().toString());
  }

  /**
   * Trains {@code conf} (initialised from its seed) on {@code data}.
   *
   * @param runId keys the executors' persistent replicas; unique per run
   */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, MultiLayerConfiguration conf, String runId) {
    String confJson = conf.toJson();
    MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
    net.init();
    INDArray updaterView = settings.averageUpdater() && net.getUpdater(true) != null
        ? net.getUpdater(true).getStateViewArray() : null;
    float[] params = flat(net.params());
    float[] updater = updaterView == null ? null : flat(updaterView);
    int perEpoch = roundsPerEpoch(data.partitionCounts());
    int totalRounds = perEpoch * settings.epochs();
    int k = settings.frequency();
    LOG.info("run {}: {} partitions, {} rounds/epoch x {} epochs, k={}, batch {} per replica, {} parameters",
        runId, data.partitions(), perEpoch, settings.epochs(), k, settings.batchSize(), params.length);

    List<RoundStats> rounds = new ArrayList<>(totalRounds);
    int iteration = 0;
    long samples = 0;
    int round = 0;
    long start = System.nanoTime();
    try {
      for (int epoch = 0; epoch < settings.epochs(); epoch++) {
        for (int r = 0; r < perEpoch; r++) {
          long t0 = System.nanoTime();
          round++;
          RoundPlan plan = new RoundPlan(round, epoch, r * k, k, settings.batchSize(), settings.seed(),
              settings.shuffle(), settings.numClasses());
          Broadcast<ModelState> bc = sc.broadcast(new ModelState(params, updater, iteration, epoch));
          ParameterSum sum = data.blocks()
              .mapPartitionsWithIndex(new TrainRound(runId, confJson, bc, plan, updater != null), true)
              .treeAggregate(new ParameterSum(), ParameterSum::add, ParameterSum::merge, 2);
          bc.destroy(false);
          if (sum.examples() > 0) {
            params = sum.averageParams();
            if (updater != null) {
              float[] u = sum.averageUpdater();
              updater = u != null ? u : updater;
            }
          }
          iteration += sum.workers().stream().mapToInt(WorkerStats::batches).max().orElse(0);
          samples += sum.examples();
          RoundStats stats = new RoundStats(round, epoch + 1, sum.meanLoss(), sum.examples(),
              (System.nanoTime() - t0) / 1e9, sum.workers());
          rounds.add(stats);
          double elapsed = (System.nanoTime() - start) / 1e9;
          for (TrainingListener l : listeners) {
            l.onRound(stats, totalRounds, elapsed, samples);
          }
        }
      }
    } finally {
      ReplicaCache.release(runId);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    net.params().assign(Nd4j.createFromArray(params).reshape(net.params().shape()));
    if (updaterView != null && updater != null) {
      updaterView.assign(Nd4j.createFromArray(updater).reshape(updaterView.shape()));
    }
    net.setIterationCount(iteration);
    net.setEpochCount(settings.epochs());
    return new TrainingResult(net, rounds, samples, wall);
  }

  static float[] flat(INDArray a) {
    return a.reshape(a.length()).toFloatVector();
  }
}
