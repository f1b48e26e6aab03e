package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.sparktrain.kernels.model.ModelSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.checkpoint.CheckpointPolicy;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.checkpoint.PeriodicCheckpointer;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.FashionMnist;
import org.sparktrain.kernels.model.LayerSpec;
import org.sparktrain.kernels.model.NetworkFactory;
import org.sparktrain.kernels.model.OptimizerSpec;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.Minibatches;

/**
 * Overlapped averaging ({@code averaging.overlap}): rounds really run two at a time, one replica
 * still reproduces single-process training (its corrections are zero, so nothing is reset or lost),
 * the accuracy stays close to synchronous averaging, checkpoints drain the pipeline so a resumed run
 * ends bit-for-bit where the uninterrupted one does, and the divergence guard still leaves out and
 * rolls back.
 */
class OverlapTest extends FaultFixture {
  private static final long SEED = 123;
  @TempDir
  Path tmp;

  private static ParameterAveragingTrainer trainer(boolean overlap) {
    return new ParameterAveragingTrainer(AveragingSettings.builder().epochs(2).batchSize(50).frequency(5).averageUpdater(true).seed(11).shuffle(true).numClasses(10).build().withOverlap(overlap),
        GuardSettings.defaults(), List.of());
  }

  @Test
  void oneWorkerOverlappedEqualsSingleProcess() {
    ModelSpec conf = NetworkFactory.spec(List.of(LayerSpec.dense(64, "relu"),
        LayerSpec.output("softmax")), new OptimizerSpec("adam", 1e-3, 0, 0), new int[] {28, 28}, 10, SEED);
    DistributedDataset d = IdxDataSource.load(sc, FashionMnist.uri("train-images-idx3-ubyte.gz"),
        FashionMnist.uri("train-labels-idx1-ubyte.gz"), 10, 1, 1000, null);
    try {
      TrainingResult distributed = new ParameterAveragingTrainer(
          AveragingSettings.builder().epochs(2).batchSize(32).frequency(7).averageUpdater(true).seed(SEED).shuffle(true).numClasses(10).build().withOverlap(true), List.of()).fit(sc, d, conf);
      assertEquals(Boolean.TRUE, distributed.engineInfo().get("overlap"));
      ExampleBlock block = d.blocks().first();
      MultiLayerNetwork single = NetworkFactory.init(conf.multiLayer());
      for (int e = 0; e < 2; e++) {
        single.setEpochCount(e);
        BatchPlan plan = BatchPlan.of(block.count(), 32, SEED, e, 0, true);
        for (int s = 0; s < plan.batches(); s++) {
          single.fit(Minibatches.dataSet(block, plan.batch(s), 10));
        }
      }
      assertEquals(10, distributed.rounds().size());
      // round 2 starts with round 1 (two free slots, one partition) and must still train after it
      assertEquals(List.of("reset", "continue", "correct", "correct", "correct", "correct", "correct", "correct",
          "correct", "correct"), distributed.rounds().stream().map(r -> r.workers().get(0).start()).toList());
      EquivalenceTest.assertClose(single.params(), distributed.network().params(), 1e-5);
      EquivalenceTest.assertClose(single.getUpdater().getStateViewArray(),
          distributed.network().updaterState(), 1e-5);
    } finally {
      d.blocks().unpersist(false);
    }
  }

  /** Start and end times of the jobs of this run's rounds, by round number. */
  private static final class RoundJobs extends SparkListener {
    final Map<Integer, long[]> byJob = new ConcurrentHashMap<>();
    final Map<Integer, Integer> roundOfJob = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart e) {
      String group = e.properties() == null ? null : e.properties().getProperty("spark.jobGroup.id");
      if (group != null && group.startsWith("sparktrain-round-")) {
        roundOfJob.put(e.jobId(), Integer.parseInt(group.split("-")[2]));
        byJob.put(e.jobId(), new long[] {e.time(), Long.MAX_VALUE});
      }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd e) {
      long[] t = byJob.get(e.jobId());
      if (t != null) {
        t[1] = e.time();
      }
    }

    /** Rounds whose job was submitted before the previous round's job had ended. */
    long overlapped() {
      Map<Integer, long[]> byRound = new java.util.TreeMap<>();
      roundOfJob.forEach((job, round) -> byRound.put(round, byJob.get(job)));
      long n = 0;
      long[] previous = null;
      for (long[] t : byRound.values()) {
        if (previous != null && t[0] < previous[1]) {
          n++;
        }
        previous = t;
      }
      return n;
    }
  }

  @Test
  void roundsRunTwoAtATimeAndAccuracyStaysCloseToSynchronous() throws Exception {
    RoundJobs jobs = new RoundJobs();
    sc.sc().addSparkListener(jobs);
    TrainingResult overlapped;
    try {
      overlapped = trainer(true).fit(sc, train, mlp());
      sc.sc().listenerBus().waitUntilEmpty();
    } finally {
      sc.sc().removeSparkListener(jobs);
    }
    TrainingResult sync = trainer(false).fit(sc, train, mlp());
    assertEquals(16, overlapped.rounds().size(), "40 batches per partition and epoch at k=5, 2 epochs");
    assertEquals(16000, overlapped.trainSamples(), "every example once per epoch");
    assertEquals(0, overlapped.engineInfo().get("overlap_drains"));
    assertEquals(0L, overlapped.engineInfo().get("overlap_restarts"), "no replica lost its own state");
    assertEquals("correct", overlapped.rounds().get(5).workers().get(0).start());
    assertEquals("continue", overlapped.rounds().get(1).workers().get(0).start(), "round 2 has no average yet");
    assertTrue(jobs.overlapped() >= 10, "most rounds were submitted while the previous one ran: "
        + jobs.overlapped() + " of 15");
    double a = accuracy(overlapped);
    double b = accuracy(sync);
    assertTrue(Math.abs(a - b) < 0.02, "overlapped " + a + " vs synchronous " + b);
    assertTrue(a > 0.75, "overlapped accuracy " + a);
  }

  private PeriodicCheckpointer every3(CheckpointStore store, int sequence) {
    return new PeriodicCheckpointer(store, new CheckpointPolicy(store.dir(), 3, 0, 2, 0), sequence, "seed: 11\n", "{}",
        Map.of("train_images", "x"));
  }

  @Test
  void checkpointsDrainThePipelineAndAResumedRunEndsBitForBitTheSame() {
    CheckpointStore full = CheckpointStore.at(tmp.resolve("full").toString(), new Configuration());
    PeriodicCheckpointer fullWriter = every3(full, 0);
    TrainingResult uninterrupted = trainer(true).fit(sc, train, mlp(), "run-u", null, fullWriter);
    assertEquals(List.of("round-00000003", "round-00000006", "round-00000009", "round-00000012", "round-00000015",
        "round-00000016"), fullWriter.written(), "every 3rd round and the last, each one consistent");
    assertEquals(5, uninterrupted.engineInfo().get("overlap_drains"));

    CheckpointStore store = CheckpointStore.at(tmp.resolve("ck").toString(), new Configuration());
    PeriodicCheckpointer writer = every3(store, 0);
    assertThrows(IllegalStateException.class, () -> trainer(true).fit(sc, train, mlp(), "run-r", null,
        new CrashAfter(writer, 10)));
    CheckpointStore.Loaded ck = store.newestVerified(m -> {
      throw new AssertionError(m);
    });
    assertNotNull(ck);
    assertEquals(9, ck.state().round());
    TrainingResult resumed = trainer(true).fit(sc, train, mlp(), "run-r", ck.state(), every3(store, ck.sequence()));
    assertEquals(16 - 9, resumed.rounds().size());
    assertArrayEquals(FloatArrays.flat(uninterrupted.network().params()),
        FloatArrays.flat(resumed.network().params()), "bitwise equal after resuming from a drained round");
  }

  @Test
  void aNanReplicaIsLeftOutAndRestartedFromTheAverage() {
    FaultInjection.poisonOnce(3, 2);
    TrainingResult r = trainer(true).fit(sc, train, mlp());
    assertEquals(1, FaultInjection.fired());
    assertTrue(r.rounds().get(2).workers().get(2).excluded().contains("is NaN"));
    // round 4 was already running from the poisoned replica; round 5 restarts it from the average
    int excluded = (int) r.engineInfo().get("excluded_replicas");
    assertTrue(excluded == 1 || excluded == 2, "excluded " + excluded);
    assertEquals("reset", r.rounds().get(4).workers().get(2).start(), "restarted from the average of round 3");
    assertEquals(1L, r.engineInfo().get("overlap_restarts"));
    for (int round = 5; round <= r.rounds().size(); round++) {
      assertEquals(null, r.rounds().get(round - 1).workers().get(2).excluded(), "round " + round);
    }
    for (float v : FloatArrays.flat(r.network().params())) {
      assertTrue(Float.isFinite(v));
    }
    assertTrue(accuracy(r) > 0.75);
  }

  @Test
  void aRoundMostReplicasDivergeInIsRolledBackWithTheRoundsAfterIt() {
    for (int p = 0; p < 4; p++) {
      FaultInjection.poisonOnce(4, p);
    }
    TrainingResult r = trainer(true).fit(sc, train, mlp());
    assertEquals(4, FaultInjection.fired());
    assertEquals(1, r.engineInfo().get("rollbacks"));
    assertEquals(16, r.rounds().size(), "the discarded rounds are retried under their own numbers");
    for (int i = 0; i < 16; i++) {
      assertEquals(i + 1, r.rounds().get(i).round());
    }
    assertEquals(16000, r.trainSamples(), "every example once per epoch: discarded rounds are not counted");
    for (float v : FloatArrays.flat(r.network().params())) {
      assertTrue(Float.isFinite(v));
    }
    assertTrue(accuracy(r) > 0.70);
  }
}
