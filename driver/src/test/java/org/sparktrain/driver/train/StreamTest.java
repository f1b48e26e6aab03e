package org.sparktrain.driver.train;

import org.sparktrain.driver.task.RoundClient;
import org.sparktrain.driver.task.RoundMessages;
import org.sparktrain.driver.task.RoundWire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.sparktrain.kernels.model.ModelSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.driver.checkpoint.CheckpointPolicy;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.checkpoint.PeriodicCheckpointer;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.kernels.data.FashionMnist;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.ReplicaCache;

/**
 * Streamed rounds ({@code averaging.transport: stream}) in a {@code local[4,2]} Spark (4 slots, one
 * retry per task): they train exactly what one Spark job per round trains, in one job, and keep
 * every guarantee of the per-round jobs under faults (retried task, diverged replicas and rollback,
 * hung task, driver crash and resume), and fall back to one job per round when the partitions do
 * not fit the cluster's slots.
 */
class StreamTest {
  private static JavaSparkContext sc;
  private static DistributedDataset train;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    sc = SparkTestBase.localContext("local[4,2]");
    train = FaultFixture.loadTrain(sc);
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @AfterEach
  void disarm() {
    FaultInjection.clear();
  }

  private static ModelSpec mlp() {
    return FaultFixture.mlp();
  }

  private static ParameterAveragingTrainer trainer(boolean stream, GuardSettings guard) {
    return new ParameterAveragingTrainer(AveragingSettings.builder().epochs(2).batchSize(50).frequency(5).averageUpdater(true).seed(11).shuffle(true).numClasses(10).build().withStream(stream), guard,
        List.of());
  }

  private static float[] params(TrainingResult r) {
    return FloatArrays.flat(r.network().params());
  }

  /** Counts the Spark jobs started while it is registered. */
  private static final class Jobs extends SparkListener {
    final AtomicInteger started = new AtomicInteger();

    @Override
    public void onJobStart(SparkListenerJobStart e) {
      started.incrementAndGet();
    }
  }

  private static Map<String, float[]> reference;

  /** The same runs with one Spark job per round: undisturbed and rolled back at round 4. */
  private static synchronized float[] jobs(String which) {
    if (reference == null) {
      reference = new java.util.HashMap<>();
      reference.put("plain", params(trainer(false, GuardSettings.defaults()).fit(sc, train, mlp())));
      for (int p = 0; p < 4; p++) {
        FaultInjection.poisonOnce(4, p);
      }
      reference.put("rollback", params(trainer(false, GuardSettings.defaults()).fit(sc, train, mlp())));
      FaultInjection.clear();
    }
    return reference.get(which);
  }

  @Test
  void streamedRoundsTrainBitForBitWhatOneJobPerRoundTrainsInOneJob() throws Exception {
    float[] expected = jobs("plain");
    Jobs jobs = new Jobs();
    sc.sc().addSparkListener(jobs);
    long builds = ReplicaCache.builds();
    TrainingResult r;
    try {
      r = trainer(true, GuardSettings.defaults()).fit(sc, train, mlp());
    } finally {
      sc.sc().removeSparkListener(jobs);
    }
    assertEquals("stream", r.engineInfo().get("transport"));
    assertArrayEquals(expected, params(r), "bitwise equal parameters");
    assertEquals(16, r.rounds().size());
    assertEquals(16000, r.trainSamples());
    assertEquals(4, ReplicaCache.builds() - builds, "one replica per partition for the whole run");
    sc.sc().listenerBus().waitUntilEmpty(10_000);
    assertEquals(1, jobs.started.get(), "one job for round 0 (data and replicas) and all 16 rounds");
    for (RoundStats s : r.rounds()) {
      assertEquals(4, s.workers().size());
      assertTrue(s.workers().stream().allMatch(w -> w.examples() == 250), "5 batches of 50 per replica and round");
    }
  }

  @Test
  void encodedMessagesTrainTheSameAsObjectsHandedOver() {
    // local mode hands messages to the driver as objects; executors elsewhere send them as bytes
    RoundClient.alwaysEncode = true;
    try {
      TrainingResult r = trainer(true, GuardSettings.defaults()).fit(sc, train, mlp());
      assertEquals("stream", r.engineInfo().get("transport"));
      assertArrayEquals(jobs("plain"), params(r), "bitwise equal parameters through the byte encoding");
    } finally {
      RoundClient.alwaysEncode = false;
    }
  }

  @Test
  void augmentedRoundsStreamBitForBitAsWell() {
    org.sparktrain.kernels.augment.AugmentationPipeline aug = new org.sparktrain.kernels.augment.AugmentationPipeline(
        List.of(org.sparktrain.kernels.augment.AugmentSpec.of("crop_pad", 0.5),
            org.sparktrain.kernels.augment.AugmentSpec.of("flip_h", 0.5)), 2);
    AveragingSettings settings = AveragingSettings.builder().epochs(1).batchSize(50).frequency(FrequencyPolicy.fixed(5)).averageUpdater(true).seed(11).shuffle(true).numClasses(10).augmentation(aug).build();
    TrainingResult perRound = new ParameterAveragingTrainer(settings, List.of()).fit(sc, train, mlp());
    TrainingResult streamed = new ParameterAveragingTrainer(settings.withStream(true), List.of()).fit(sc, train, mlp());
    assertEquals("stream", streamed.engineInfo().get("transport"));
    assertEquals(16000, streamed.trainSamples(), "2 augmented copies of 8,000 examples");
    assertArrayEquals(params(perRound), params(streamed));
  }

  @Test
  void aRetriedTaskRejoinsAtTheCurrentRoundAndTheRunIsUnchanged() {
    float[] expected = jobs("plain");
    FaultInjection.failOnce(3, 1);
    TrainingResult r = trainer(true, GuardSettings.defaults()).fit(sc, train, mlp());
    assertEquals(1, FaultInjection.fired(), "the injected failure fired (and Spark retried the task)");
    assertEquals(1L, r.engineInfo().get("retried_tasks"));
    assertEquals(1, r.rounds().get(2).workers().get(1).attempt(), "round 3 of partition 1 came from the retry");
    assertArrayEquals(expected, params(r), "bitwise equal parameters after a retry");
  }

  @Test
  void aRoundMostReplicasDivergeInIsRolledBackAsWithOneJobPerRound() {
    float[] expected = jobs("rollback");
    for (int p = 0; p < 4; p++) {
      FaultInjection.poisonOnce(4, p);
    }
    TrainingResult r = trainer(true, GuardSettings.defaults()).fit(sc, train, mlp());
    assertEquals(4, FaultInjection.fired());
    assertEquals(1, r.engineInfo().get("rollbacks"));
    assertEquals(5e-4, (double) r.engineInfo().get("learning_rate_final"), 1e-9);
    assertEquals(16000, r.trainSamples());
    assertArrayEquals(expected, params(r), "the same rollback and retry as with one job per round");
  }

  @Test
  void aHungTaskTimesOutNamingThePartitionThatDidNotAnswer() {
    FaultInjection.hangOnce(2, 1, 120_000);
    long t0 = System.nanoTime();
    RoundTimeoutException e = assertThrows(RoundTimeoutException.class,
        () -> trainer(true, new GuardSettings(3, 20, 0.5, true, 0.5, 3)).fit(sc, train, mlp()));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(e.getMessage().matches("round 2 did not finish within guard.round_timeout_seconds=3 and was cancelled: "
        + "partitions \\[1] had not returned the round; still running: .*partition 1 \\(attempt 0\\).*"),
        e.getMessage());
    assertTrue(seconds < 60, "cancelled after the time-out, not after the hang: " + seconds + " s");
    assertEquals(16000, trainer(true, GuardSettings.defaults()).fit(sc, train, mlp()).trainSamples(),
        "the context is usable for the next run");
  }

  @Test
  void aRunResumedAfterADriverCrashEndsWithTheUninterruptedParameters() {
    float[] expected = jobs("plain");
    CheckpointStore store = CheckpointStore.at(tmp.resolve("ck").toString(), new Configuration());
    PeriodicCheckpointer writer = new PeriodicCheckpointer(store, new CheckpointPolicy(store.dir(), 3, 0, 2, 0), 0,
        "seed: 11\n", "{}", Map.of("train_images", "x"));
    assertThrows(IllegalStateException.class, () -> trainer(true, GuardSettings.defaults())
        .fit(sc, train, mlp(), "run-s", null, new FaultFixture.CrashAfter(writer, 10)));
    assertEquals(List.of("round-00000003", "round-00000006", "round-00000009"), writer.written());
    CheckpointStore.Loaded ck = store.newestVerified(m -> {
      throw new AssertionError(m);
    });
    TrainingResult resumed = trainer(true, GuardSettings.defaults()).fit(sc, train, mlp(), "run-s", ck.state(),
        Checkpointer.NONE);
    assertEquals(16 - 9, resumed.rounds().size());
    assertArrayEquals(expected, params(resumed), 1e-5f);
  }

  @Test
  void emptyPartitionsTakeNoPartAndMorePartitionsThanSlotsFallBackToOneJobPerRound() {
    // 3 examples over 5 partitions: two are empty; the three with data fit the 4 slots
    DistributedDataset tiny = IdxDataSource.load(sc, FashionMnist.uri("train-images-idx3-ubyte.gz"),
        FashionMnist.uri("train-labels-idx1-ubyte.gz"), 10, 5, 3, null);
    DistributedDataset six = IdxDataSource.load(sc, FashionMnist.uri("train-images-idx3-ubyte.gz"),
        FashionMnist.uri("train-labels-idx1-ubyte.gz"), 10, 6, 600, null);
    try {
      AveragingSettings one = AveragingSettings.builder().epochs(1).batchSize(1).frequency(1).averageUpdater(true).seed(11).shuffle(true).numClasses(10).build();
      TrainingResult streamed = new ParameterAveragingTrainer(one.withStream(true), List.of()).fit(sc, tiny, mlp());
      TrainingResult perRound = new ParameterAveragingTrainer(one, List.of()).fit(sc, tiny, mlp());
      assertEquals("stream", streamed.engineInfo().get("transport"));
      assertEquals(3, streamed.trainSamples());
      assertArrayEquals(params(perRound), params(streamed));

      TrainingResult wide = new ParameterAveragingTrainer(AveragingSettings.builder().epochs(1).batchSize(50).frequency(1).averageUpdater(true).seed(11).shuffle(true).numClasses(10).build()
          .withStream(true), List.of()).fit(sc, six, mlp());
      assertEquals("jobs", wide.engineInfo().get("transport"));
      assertEquals("6 partitions hold data but the cluster runs only 4 tasks at once",
          wide.engineInfo().get("transport_fallback"));
      assertEquals(600, wide.trainSamples());
    } finally {
      tiny.blocks().unpersist(false);
      six.blocks().unpersist(false);
    }
  }
}
