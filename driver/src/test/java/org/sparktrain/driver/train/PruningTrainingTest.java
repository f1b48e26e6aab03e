package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.checkpoint.CheckpointPolicy;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.checkpoint.PeriodicCheckpointer;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.kernels.data.FashionMnist;
import org.sparktrain.kernels.model.LayerSpec;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.NetworkFactory;
import org.sparktrain.kernels.model.OptimizerSpec;
import org.sparktrain.kernels.model.ParamBlock;
import org.sparktrain.kernels.prune.PruningMask;
import org.sparktrain.kernels.prune.PruningSpec;
import org.sparktrain.kernels.prune.SparsitySchedule;
import org.sparktrain.kernels.train.FloatArrays;

/**
 * Pruning inside distributed training ({@code local[2,2]}: two replicas, a failed task is retried):
 * the driver's masks follow the schedule, pruned weights stay exactly zero in every average (both
 * transports), and a retried task or a resumed run reproduces the undisturbed run.
 */
class PruningTrainingTest {
  private static JavaSparkContext sc;
  private static DistributedDataset train;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    sc = org.sparktrain.driver.SparkTestBase.localContext("local[2,2]");
    train = IdxDataSource.load(sc, FashionMnist.uri("train-images-idx3-ubyte.gz"),
        FashionMnist.uri("train-labels-idx1-ubyte.gz"), 10, 2, 2000, null);
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @AfterEach
  void disarm() {
    FaultInjection.clear();
  }

  static ModelSpec mlp() {
    return NetworkFactory.spec(List.of(LayerSpec.dense(32, "relu"), LayerSpec.output("softmax")),
        new OptimizerSpec("adam", 1e-3, 0, 0), new int[] {28, 28}, 10, 1);
  }

  /** Gradual 0 -> 0.8 from 10% to 60% of the run (steps 4 to 24 of 40), a mask update every 5 steps. */
  static final PruningSpec GRADUAL = new PruningSpec(PruningSpec.Method.MAGNITUDE, PruningSpec.Scope.GLOBAL,
      PruningSpec.Schedule.GRADUAL, 0.0, 0.8, 0.1, 0.6, 5, List.of(), null);

  /** 2 partitions of 1,000, batch 50: 20 steps per epoch, 2 epochs, k = 5: 8 rounds. */
  static ParameterAveragingTrainer trainer(boolean stream, List<TrainingListener> listeners) {
    return new ParameterAveragingTrainer(AveragingSettings.builder().epochs(2).batchSize(50).frequency(5).seed(3)
        .stream(stream).pruning(GRADUAL).build(), listeners);
  }

  /** Records each mask and each round's average. */
  static final class Recorder implements TrainingListener {
    final List<int[]> maskRounds = new ArrayList<>();
    final List<PruningMask> masks = new ArrayList<>();
    final List<Long> steps = new ArrayList<>();
    final List<Double> sparsities = new ArrayList<>();
    final List<AveragedRound> averages = new ArrayList<>();

    @Override
    public void onPruned(int round, long step, double sparsity, PruningMask mask) {
      maskRounds.add(new int[] {round});
      masks.add(mask);
      steps.add(step);
      sparsities.add(sparsity);
    }

    @Override
    public void onRoundAveraged(AveragedRound round) {
      averages.add(new AveragedRound(round.round(), round.epoch(), round.params().clone(), round.updater(),
          round.examples()));
    }

    /** The mask in force while round {@code r} trained: the last one grown after an earlier round. */
    PruningMask inForceAt(int r) {
      PruningMask m = null;
      for (int i = 0; i < masks.size(); i++) {
        if (maskRounds.get(i)[0] < r) {
          m = masks.get(i);
        }
      }
      return m;
    }
  }

  @Test
  void masksFollowTheScheduleAndPrunedWeightsStayZeroInEveryAverage() {
    long weights = mlp().build().parameterBlocks().stream().filter(ParamBlock::isWeight)
        .mapToLong(ParamBlock::length).sum();
    SparsitySchedule schedule = GRADUAL.scheduleFor(40);
    for (boolean stream : List.of(false, true)) {
      Recorder rec = new Recorder();
      TrainingResult r = trainer(stream, List.of(rec)).fit(sc, train, mlp());
      assertEquals(8, rec.averages.size());
      assertTrue(rec.masks.size() >= 3, stream + ": the mask grew several times: " + rec.steps);
      for (int i = 0; i < rec.masks.size(); i++) {
        assertEquals(schedule.at(rec.steps.get(i)), rec.sparsities.get(i), 1e-12);
        assertEquals(Math.round(schedule.at(rec.steps.get(i)) * weights), rec.masks.get(i).prunedCount(),
            stream + ": pruned count at step " + rec.steps.get(i) + " is the schedule's sparsity x weights");
        if (i > 0) {
          assertTrue(rec.masks.get(i).contains(rec.masks.get(i - 1)), "masks only grow");
        }
      }
      for (TrainingListener.AveragedRound avg : rec.averages) {
        PruningMask m = rec.inForceAt(avg.round());
        if (m != null) {
          assertTrue(m.holdsIn(avg.params()), stream + ": round " + avg.round()
              + "'s average (before any new pruning) holds every weight pruned before it at exactly zero");
        }
      }
      PruningMask last = rec.masks.get(rec.masks.size() - 1);
      assertEquals(Math.round(0.8 * weights), last.prunedCount(), "the target is reached");
      assertEquals(last, r.mask());
      assertTrue(last.holdsIn(FloatArrays.flat(r.network().params())));
      float[] u = FloatArrays.flat(r.network().updaterState());
      float[] zeroed = org.sparktrain.kernels.prune.MaskApplier.zeroState(last, r.network().updaterSegments(),
          u.clone());
      assertArrayEquals(zeroed, u, 0f, "the averaged Adam moments of pruned weights are zero");
    }
  }

  @Test
  void aRetriedTaskAndAResumedRunReproduceTheUndisturbedPrunedRun() {
    TrainingResult clean = trainer(false, List.of()).fit(sc, train, mlp());
    float[] undisturbed = FloatArrays.flat(clean.network().params());
    FaultInjection.failOnce(3, 1);
    TrainingResult retried = trainer(false, List.of()).fit(sc, train, mlp());
    assertEquals(1, FaultInjection.fired(), "the injected failure fired and Spark retried the task");
    assertArrayEquals(undisturbed, FloatArrays.flat(retried.network().params()), "bitwise equal after a retry");
    assertEquals(clean.mask(), retried.mask());

    CheckpointStore store = CheckpointStore.at(tmp.resolve("ck").toString(), new Configuration());
    PeriodicCheckpointer writer = new PeriodicCheckpointer(store, new CheckpointPolicy(store.dir(), 3, 0, 2, 0), 0,
        "seed: 3\n", "{}", Map.of("train_images", "x"));
    assertThrows(IllegalStateException.class, () -> trainer(false, List.of())
        .fit(sc, train, mlp(), "run-p", null, new FaultFixture.CrashAfter(writer, 5)));
    CheckpointStore.Loaded ck = store.newestVerified(m -> {
      throw new AssertionError(m);
    });
    assertNotNull(ck);
    assertEquals(3, ck.state().round());
    assertNotNull(ck.state().mask(), "round 3 is past pruning's start: the checkpoint holds the mask");
    assertTrue(ck.state().mask().holdsIn(ck.state().params()));
    TrainingResult resumed = trainer(false, List.of()).fit(sc, train, mlp(), "run-p", ck.state(), Checkpointer.NONE);
    assertEquals(8 - 3, resumed.rounds().size());
    assertEquals(clean.mask(), resumed.mask(), "the resumed run grows the same masks");
    assertArrayEquals(undisturbed, FloatArrays.flat(resumed.network().params()), 1e-5f);
  }
}
