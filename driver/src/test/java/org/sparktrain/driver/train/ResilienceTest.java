package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.checkpoint.CheckpointPolicy;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.checkpoint.PeriodicCheckpointer;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.kernels.data.FashionMnist;
import org.sparktrain.kernels.train.FloatArrays;

/**
 * The averaging loop under faults, in one local[2] Spark: a NaN replica is left out, a round most
 * replicas diverge in is rolled back at a lower learning rate (or stops the run), a hung task is
 * cancelled with the stage and executor named, and a run resumed from a checkpoint ends with the
 * parameters of the run that was never interrupted.
 */
class ResilienceTest extends FaultFixture {
  @TempDir
  Path tmp;

  private static ParameterAveragingTrainer trainer(int epochs, GuardSettings guard) {
    return new ParameterAveragingTrainer(AveragingSettings.builder().epochs(epochs).batchSize(50).frequency(5).averageUpdater(true).seed(11).shuffle(true).numClasses(10).build(), guard, List.of());
  }

  private static Double undisturbed;

  /** Test accuracy of the same 2-epoch run without faults. */
  private static synchronized double undisturbedAccuracy() {
    if (undisturbed == null) {
      undisturbed = accuracy(trainer(2, GuardSettings.defaults()).fit(sc, train, mlp()));
    }
    return undisturbed;
  }

  @Test
  void nanReplicaIsLeftOutAndTheRunConverges() {
    FaultInjection.poisonOnce(3, 2);
    TrainingResult r = trainer(2, GuardSettings.defaults()).fit(sc, train, mlp());
    assertEquals(1, FaultInjection.fired());
    assertEquals(1, r.engineInfo().get("excluded_replicas"));
    assertEquals(0, r.engineInfo().get("rollbacks"));
    WorkerStats w = r.rounds().get(2).workers().get(2);
    assertEquals(2, w.partition());
    assertTrue(w.excluded() != null && w.excluded().contains("is NaN"), String.valueOf(w.excluded()));
    float[] p = FloatArrays.flat(r.network().params());
    for (float v : p) {
      assertTrue(Float.isFinite(v));
    }
    double acc = accuracy(r);
    assertTrue(acc > undisturbedAccuracy() - 0.02, "converged despite the NaN replica: accuracy " + acc
        + ", undisturbed " + undisturbedAccuracy());
  }

  @Test
  void aboveThirtyTwoPartitionsTheTreeSumLeavesOutANanReplicaToo() {
    DistributedDataset wide = IdxDataSource.load(sc, FashionMnist.uri("train-images-idx3-ubyte.gz"),
        FashionMnist.uri("train-labels-idx1-ubyte.gz"), 10, 40, 8000, null);
    try {
      FaultInjection.poisonOnce(2, 17);
      TrainingResult r = new ParameterAveragingTrainer(AveragingSettings.builder().epochs(2).batchSize(50).frequency(2).averageUpdater(true).seed(11).shuffle(true).numClasses(10).build(),
          GuardSettings.defaults(), List.of()).fit(sc, wide, mlp());
      assertEquals(1, FaultInjection.fired());
      assertEquals(1, r.engineInfo().get("excluded_replicas"));
      assertTrue(r.rounds().get(1).workers().get(17).excluded().contains("is NaN"));
      assertEquals(40, r.rounds().get(1).workers().size());
      for (float v : FloatArrays.flat(r.network().params())) {
        assertTrue(Float.isFinite(v));
      }
      assertEquals(16000 - 100, r.trainSamples(), "all examples but the excluded replica's 2 batches of 50 count");
    } finally {
      wide.blocks().unpersist(false);
    }
  }

  @Test
  void roundMostReplicasDivergeInIsRolledBackAtALowerLearningRate() {
    for (int p = 0; p < 4; p++) {
      FaultInjection.poisonOnce(4, p);
    }
    TrainingResult r = trainer(2, GuardSettings.defaults()).fit(sc, train, mlp());
    assertEquals(4, FaultInjection.fired());
    assertEquals(1, r.engineInfo().get("rollbacks"));
    assertEquals(5e-4, (double) r.engineInfo().get("learning_rate_final"), 1e-9);
    assertEquals(4, r.rounds().get(3).round(), "the rolled-back round is retried under its own number");
    assertEquals(16000, r.trainSamples(), "every example once per epoch: the discarded attempt is not counted");
    double first = r.rounds().get(0).loss();
    double last = r.rounds().get(r.rounds().size() - 1).loss();
    assertTrue(last < first / 2, "loss fell from " + first + " to " + last);
    // half the learning rate from round 4 on: slower than the undisturbed run, but it converges
    double acc = accuracy(r);
    assertTrue(acc > 0.70 && acc > undisturbedAccuracy() - 0.08, "accuracy " + acc + ", undisturbed "
        + undisturbedAccuracy());
  }

  @Test
  void divergenceStopsTheRunWithAdviceWhenRollbackIsOff() {
    FaultInjection.poisonOnce(2, 0);
    FaultInjection.poisonOnce(2, 1);
    FaultInjection.poisonOnce(2, 3);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> trainer(1, new GuardSettings(0, 20, 0.5, false, 0.5, 3)).fit(sc, train, mlp()));
    assertTrue(e.getMessage().startsWith("training diverged in round 2 (epoch 1): 3 of 4 replicas returned unusable "
        + "results (partition 0: parameter 0 is NaN; partition 1: parameter 0 is NaN; partition 3: parameter 0 is "
        + "NaN)"), e.getMessage());
    assertTrue(e.getMessage().contains("Lower optimizer.learning_rate (now 0.001)"), e.getMessage());
  }

  @Test
  void hungTaskTimesOutNamingStageAndExecutor() {
    FaultInjection.hangOnce(2, 1, 120_000);
    long t0 = System.nanoTime();
    RoundTimeoutException e = assertThrows(RoundTimeoutException.class,
        () -> trainer(1, new GuardSettings(3, 20, 0.5, true, 0.5, 3)).fit(sc, train, mlp()));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(e.getMessage().matches("round 2 did not finish within guard.round_timeout_seconds=3 and was cancelled: "
        + "still running: stage \\d+ partition 1 \\(attempt 0\\) on executor driver at .*"), e.getMessage());
    assertTrue(seconds < 60, "cancelled after the time-out, not after the hang: " + seconds + " s");
    // the cancelled task was interrupted: the context is usable for the next run
    assertEquals(8000, trainer(1, GuardSettings.defaults()).fit(sc, train, mlp()).trainSamples());
  }

  @Test
  void resumedRunEndsWithTheUninterruptedRunsParameters() {
    float[] uninterrupted = FloatArrays.flat(trainer(2, GuardSettings.defaults()).fit(sc, train, mlp())
        .network().params());
    CheckpointStore store = CheckpointStore.at(tmp.resolve("ck").toString(), new Configuration());
    CheckpointPolicy every3 = new CheckpointPolicy(store.dir(), 3, 0, 2, 0);
    PeriodicCheckpointer writer = new PeriodicCheckpointer(store, every3, 0, "seed: 11\n", "{}",
        Map.of("train_images", "x"));
    // 40 batches of 50 per partition and epoch at k=5: 8 rounds per epoch; die in epoch 2, after round 10
    assertThrows(IllegalStateException.class, () -> trainer(2, GuardSettings.defaults())
        .fit(sc, train, mlp(), "run-r", null, new CrashAfter(writer, 10)));
    assertEquals(List.of("round-00000003", "round-00000006", "round-00000009"), writer.written());
    assertEquals(List.of("round-00000009", "round-00000006"), store.list().stream().map(CheckpointStore.Entry::name)
        .toList(), "keep_last 2");
    CheckpointStore.Loaded ck = store.newestVerified(m -> {
      throw new AssertionError(m);
    });
    assertNotNull(ck);
    assertEquals(9, ck.state().round());
    assertEquals(1, ck.state().epoch());
    assertEquals(5, ck.state().step(), "round 9 was the first of epoch 2; the cursor is at step 5");
    assertArrayEquals(new int[] {40, 40, 40, 40}, ck.state().partitionBatches());
    PeriodicCheckpointer finalOnly = new PeriodicCheckpointer(store, new CheckpointPolicy(store.dir(), 100, 0, 2, 0),
        ck.sequence(), "seed: 11\n", "{}", Map.of("train_images", "x"));
    TrainingResult resumed = trainer(2, GuardSettings.defaults()).fit(sc, train, mlp(), "run-r", ck.state(),
        finalOnly);
    assertEquals(16 - 9, resumed.rounds().size(), "the resumed run trains only the remaining rounds");
    assertEquals(2 * 8000 - ck.state().samples(), resumed.trainSamples());
    assertArrayEquals(uninterrupted, FloatArrays.flat(resumed.network().params()), 1e-5f);

    // A driver lost after the last round (during evaluation or publishing) resumes from the final
    // checkpoint: nothing left to train, the same parameters.
    assertEquals(List.of("round-00000016"), finalOnly.written());
    CheckpointStore.Loaded last = store.newestVerified(m -> {
      throw new AssertionError(m);
    });
    assertEquals(2, last.state().epoch());
    TrainingResult nothingLeft = trainer(2, GuardSettings.defaults()).fit(sc, train, mlp(), "run-r", last.state(),
        Checkpointer.NONE);
    assertEquals(0, nothingLeft.rounds().size());
    assertEquals(16, nothingLeft.engineInfo().get("resumed_after_round"));
    assertArrayEquals(uninterrupted, FloatArrays.flat(nothingLeft.network().params()), 1e-5f);
  }
}
