package org.sparktrain.driver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.kernels.model.ModelSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.data.DataSources;
import org.sparktrain.driver.train.RoundStats;
import org.sparktrain.driver.train.TrainingListener;
import org.sparktrain.driver.train.TrainingResult;
import org.sparktrain.driver.train.WorkerStats;
import org.sparktrain.kernels.model.NetworkFactory;
import org.sparktrain.kernels.train.ReplicaCache;

/** The three engines behind one interface, and the sparktrain engine's round mechanics. */
class EnginesTest extends SparkTestBase {
  private static TrainConfig config(String... sets) {
    List<String> all = new ArrayList<>(List.of(
        "data.train.images=" + fashion("train-images-idx3-ubyte.gz"),
        "data.train.labels=" + fashion("train-labels-idx1-ubyte.gz"),
        "data.test.images=" + fashion("t10k-images-idx3-ubyte.gz"),
        "data.test.labels=" + fashion("t10k-labels-idx1-ubyte.gz"),
        "model.layers=[{type: dense, units: 32, activation: relu}, {type: output, activation: softmax}]"));
    all.addAll(List.of(sets));
    return ConfigLoader.load("test", null, all);
  }

  private static TrainingData distributed(TrainConfig c) {
    return TrainingData.of(DataSources.train(c.data(), sc.hadoopConfiguration()).load(sc, c.data().partitions()));
  }

  private static TrainingData local(TrainConfig c) {
    return TrainingData.of(DataSources.train(c.data(), new Configuration()).load(null, 0));
  }

  private static TrainingResult train(TrainConfig c, TrainingData data, List<TrainingListener> listeners) {
    ModelSpec net = NetworkFactory.spec(c.model().layers(), c.optimizer(), new int[] {28, 28},
        c.data().numClasses(), c.seed());
    try {
      return TrainingEngine.named(c.engine()).train(new EngineContext(c, net, "test-" + System.nanoTime(),
          data.distributed() != null ? sc : null, data, listeners));
    } finally {
      data.release();
    }
  }

  private static double maxDiff(INDArray a, INDArray b) {
    return a.sub(b.reshape(a.shape())).amaxNumber().doubleValue();
  }

  @Test
  void singleEngineEqualsOnePartitionSparktrain() {
    TrainConfig c = config("data.limit.train=1500", "data.partitions=1", "training.epochs=2", "averaging.frequency=7",
        "training.batch_size=50");
    TrainingResult single = train(c.withEngine("single"), local(c), List.of());
    TrainingResult spark = train(c, distributed(c), List.of());
    assertEquals(3000, single.trainSamples());
    assertEquals(3000, spark.trainSamples());
    double diff = maxDiff(single.network().params(), spark.network().params());
    assertTrue(diff <= 1e-5, "max |difference| " + diff);
  }

  @Test
  void unevenAndEmptyPartitionsAverageByExamples() {
    // 7 examples over 5 partitions: sizes [1, 1, 2, 1, 2]; batch 2, k 1, plain SGD without shuffling:
    // one round = one SGD step on all 7 examples, so it equals single-process training on one batch of 7.
    TrainConfig c = config("data.limit.train=7", "data.partitions=5", "averaging.frequency=1", "training.batch_size=2",
        "optimizer.type=sgd", "optimizer.learning_rate=0.5", "data.shuffle=false", "averaging.updater_state=false");
    TrainingResult spark = train(c, distributed(c), List.of());
    assertEquals(7, spark.trainSamples());
    assertEquals(1, spark.rounds().size());
    TrainingResult single = train(c.withEngine("single").withOutputDir(null),
        local(c), List.of());
    // the single engine trains 4 batches of 2,2,2,1; compare instead with one batch of all 7:
    TrainConfig oneBatch = config("data.limit.train=7", "data.partitions=1", "averaging.frequency=1",
        "training.batch_size=7", "optimizer.type=sgd", "optimizer.learning_rate=0.5", "data.shuffle=false",
        "engine=single");
    TrainingResult reference = train(oneBatch, local(oneBatch), List.of());
    double diff = maxDiff(reference.network().params(), spark.network().params());
    assertTrue(diff <= 1e-5, "weighted average differs from the combined batch by " + diff);
    assertTrue(maxDiff(single.network().params(), spark.network().params()) > 1e-4,
        "sanity: four sequential steps differ from one averaged step");
  }

  @Test
  void overlappedRoundsHandleUnevenAndEmptyPartitions() {
    // 1001 examples over 4 partitions (250/250/250/251) at batch 50: 5 or 6 minibatches per epoch, so
    // the last round of each epoch trains one replica longer than the others.
    TrainConfig c = config("data.limit.train=1001", "data.partitions=4", "training.epochs=2", "averaging.frequency=2",
        "training.batch_size=50", "averaging.overlap=true");
    Map<String, Long> perPartitionEpoch = new HashMap<>();
    TrainingListener collect = new TrainingListener() {
      @Override
      public void onRound(RoundStats s, int total, double elapsed, long soFar) {
        for (WorkerStats w : s.workers()) {
          perPartitionEpoch.merge(s.epoch() + "/" + w.partition(), w.examples(), Long::sum);
        }
      }
    };
    long before = ReplicaCache.builds();
    TrainingResult r = train(c, distributed(c), List.of(collect));
    assertEquals(4, ReplicaCache.builds() - before, "one replica per partition for the whole run");
    assertEquals(2 * 3, r.rounds().size());
    assertEquals(2002, r.trainSamples());
    assertEquals(250L, perPartitionEpoch.get("2/0"));
    assertEquals(251L, perPartitionEpoch.get("2/3"));
    assertEquals(0L, r.engineInfo().get("overlap_restarts"));
    // 3 examples over 5 partitions: two are empty and contribute only their statistics
    TrainConfig tiny = config("data.limit.train=3", "data.partitions=5", "averaging.frequency=1",
        "training.batch_size=1", "averaging.overlap=true");
    TrainingResult t = train(tiny, distributed(tiny), List.of());
    assertEquals(3, t.trainSamples());
    assertEquals(5, t.rounds().get(0).workers().size());
    assertEquals(2, t.rounds().get(0).workers().stream().filter(w -> w.examples() == 0).count());
    for (float v : org.sparktrain.kernels.train.FloatArrays.flat(t.network().params())) {
      assertTrue(Float.isFinite(v));
    }
  }

  @Test
  void replicasAreBuiltOnceAndEveryExampleIsSeenOncePerEpoch() {
    TrainConfig c = config("data.limit.train=3001", "data.partitions=3", "training.epochs=2", "averaging.frequency=4",
        "training.batch_size=32");
    Map<Integer, Long> perEpoch = new HashMap<>();
    Map<String, Long> perPartitionEpoch = new HashMap<>();
    TrainingListener collect = new TrainingListener() {
      @Override
      public void onRound(RoundStats s, int total, double elapsed, long soFar) {
        perEpoch.merge(s.epoch(), s.examples(), Long::sum);
        for (WorkerStats w : s.workers()) {
          perPartitionEpoch.merge(s.epoch() + "/" + w.partition(), w.examples(), Long::sum);
        }
      }
    };
    long before = ReplicaCache.builds();
    TrainingResult r = train(c, distributed(c), List.of(collect));
    assertEquals(3, ReplicaCache.builds() - before, "one replica per partition for the whole run");
    assertEquals(2 * 8, r.rounds().size(), "1000-1001 examples / 32 = 32 batches -> 8 rounds of k=4 per epoch");
    assertEquals(Map.of(1, 3001L, 2, 3001L), perEpoch);
    assertEquals(1000L, perPartitionEpoch.get("1/0"));
    assertEquals(1001L, perPartitionEpoch.get("2/2"));
  }

  @Test
  void updaterStateSwitchMatters() {
    TrainConfig with = config("data.limit.train=2000", "data.partitions=2", "averaging.frequency=5");
    TrainConfig without = config("data.limit.train=2000", "data.partitions=2", "averaging.frequency=5",
        "averaging.updater_state=false");
    TrainingResult a = train(with, distributed(with), List.of());
    TrainingResult b = train(without, distributed(without), List.of());
    assertTrue(maxDiff(a.network().params(), b.network().params()) > 1e-4,
        "averaging Adam's moments must change the trajectory");
    assertTrue(a.network().updaterState().amaxNumber().doubleValue() > 0,
        "the averaged updater state is carried into the final model");
  }

  @Test
  void autoFrequencyStaysInBoundsAndReports() {
    TrainConfig c = config("data.limit.train=12000", "data.partitions=2", "averaging.frequency=auto",
        "averaging.min_frequency=2", "averaging.max_frequency=40");
    TrainingResult r = train(c, distributed(c), List.of());
    assertEquals(12000, r.trainSamples());
    assertTrue(r.rounds().stream().allMatch(s -> s.k() >= 2 && s.k() <= 40), "k out of bounds");
    assertEquals("auto", r.engineInfo().get("frequency_mode"));
    assertTrue(r.rounds().stream().allMatch(s -> s.syncSeconds() >= 0 && s.relativeSpread() >= 0));
  }

  @Test
  void dl4jSparkEngineTrainsAndCleansUp() {
    TrainConfig c = config("data.limit.train=4000", "data.partitions=2", "engine=dl4j-spark",
        "optimizer.learning_rate=0.003");
    File tmp = new File(System.getProperty("java.io.tmpdir"));
    TrainingResult r = train(c, distributed(c), List.of());
    assertEquals(4000, r.trainSamples());
    assertEquals(784 * 32 + 32 + 32 * 10 + 10, r.network().numParams());
    File[] left = tmp.listFiles((d, n) -> n.startsWith("sparktrain-dl4j-spark-test-"));
    assertFalse(left != null && left.length > 0, "export directory left behind");
  }
}
