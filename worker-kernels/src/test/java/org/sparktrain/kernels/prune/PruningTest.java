package org.sparktrain.kernels.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.SyntheticData;
import org.sparktrain.kernels.model.LayerSpec;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.NetworkFactory;
import org.sparktrain.kernels.model.OptimizerSpec;
import org.sparktrain.kernels.model.ParamBlock;
import org.sparktrain.kernels.model.UpdaterSegment;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.Minibatches;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.Replica;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/** Masks, the sparsity schedule, magnitude selection and a replica holding its pruned weights at zero. */
class PruningTest {
  private static final OptimizerSpec ADAM = new OptimizerSpec("adam", 1e-2, 0, 0);

  static ModelSpec mlp() {
    return NetworkFactory.spec(List.of(LayerSpec.dense(32, "relu"), LayerSpec.dense(16, "relu"),
        LayerSpec.output("softmax")), ADAM, new int[] {12}, 4, 7);
  }

  @Test
  void scheduleFollowsZhuAndGuptasFormulaAtEveryStep() {
    double si = 0.1;
    double sf = 0.9;
    long t0 = 20;
    long dt = 10;
    int n = 8;
    SparsitySchedule s = new SparsitySchedule(si, sf, t0, t0 + n * dt, dt);
    for (long t = 0; t <= 200; t++) {
      double want;
      if (t < t0) {
        want = 0;
      } else if (t >= t0 + n * dt) {
        want = sf;
      } else {
        long j = (t - t0) / dt; // the last update at or before t
        want = sf + (si - sf) * Math.pow(1 - (double) j / n, 3);
      }
      assertEquals(want, s.at(t), 1e-12, "step " + t);
    }
    assertEquals(si, s.at(t0), 1e-12);
    assertTrue(s.at(t0 + dt) > s.at(t0) && s.at(t0 + 2 * dt) > s.at(t0 + dt), "rises");
    SparsitySchedule once = new PruningSpec(PruningSpec.Method.MAGNITUDE, PruningSpec.Scope.GLOBAL,
        PruningSpec.Schedule.ONE_SHOT, 0, 0.8, 0.5, 0.9, 10, List.of(), null).scheduleFor(100);
    assertEquals(0, once.at(49));
    assertEquals(0.8, once.at(50));
    assertEquals(0.8, once.at(100));
    assertThrows(IllegalArgumentException.class, () -> new SparsitySchedule(0, 1.0, 0, 10, 1));
  }

  @Test
  void magnitudePruningRemovesExactlyTheSmallestWeightsAndNeverBiases() {
    Network net = mlp().build();
    float[] p = FloatArrays.flat(net.params());
    List<ParamBlock> blocks = net.parameterBlocks();
    List<ParamBlock> weights = MagnitudePruner.eligible(blocks, List.of(), "pruning.layers");
    assertEquals(3, weights.size());
    long n = weights.stream().mapToLong(ParamBlock::length).sum();
    MagnitudePruner global = new MagnitudePruner(weights, PruningSpec.Scope.GLOBAL);
    PruningMask half = global.mask(p, 0.5, null);
    assertEquals(Math.round(0.5 * n), half.prunedCount());
    // every pruned weight is no larger than every kept weight; biases are never pruned
    float maxPruned = 0;
    float minKept = Float.MAX_VALUE;
    for (ParamBlock b : blocks) {
      for (long i = b.offset(); i < b.offset() + b.length(); i++) {
        if (!b.isWeight()) {
          assertFalse(half.isPruned(i), "bias " + b + " pruned");
        } else if (half.isPruned(i)) {
          maxPruned = Math.max(maxPruned, Math.abs(p[(int) i]));
        } else {
          minKept = Math.min(minKept, Math.abs(p[(int) i]));
        }
      }
    }
    assertTrue(maxPruned <= minKept, maxPruned + " pruned vs " + minKept + " kept");
    // masks grow: weights pruned before stay pruned even if another vector would keep them
    float[] q = p.clone();
    for (int i = 0; i < q.length; i++) {
      if (half.isPruned(i)) {
        q[i] = 100f;
      }
    }
    PruningMask more = global.mask(q, 0.75, half);
    assertTrue(more.contains(half));
    assertEquals(Math.round(0.75 * n), more.prunedCount());
    // per layer: the same sparsity in each block
    PruningMask perLayer = new MagnitudePruner(weights, PruningSpec.Scope.LAYER).mask(p, 0.6, null);
    for (ParamBlock b : weights) {
      assertEquals(Math.round(0.6 * b.length()), perLayer.prunedIn(b.offset(), b.length()), b.toString());
    }
    // only the named layers
    List<ParamBlock> first = MagnitudePruner.eligible(blocks, List.of("0"), "pruning.layers");
    assertEquals(List.of("0"), first.stream().map(ParamBlock::layer).toList());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MagnitudePruner.eligible(blocks, List.of("0", "7"), "pruning.layers"));
    assertEquals("pruning.layers[1]: layer '7' has no weights to prune; layers with weights: 0, 1, 2", e.getMessage());
    assertEquals(half, PruningMask.fromBytes(half.toBytes()));
    assertThrows(IllegalArgumentException.class, () -> PruningMask.fromBytes(new byte[] {1, 2, 3}));
  }

  @Test
  void selectionFindsTheKthSmallestAndTiesGoByPosition() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
    for (int trial = 0; trial < 50; trial++) {
      float[] a = new float[1 + rng.nextInt(300)];
      for (int i = 0; i < a.length; i++) {
        a[i] = rng.nextInt(20) / 4f; // many ties
      }
      float[] sorted = a.clone();
      java.util.Arrays.sort(sorted);
      int k = rng.nextInt(a.length);
      assertEquals(sorted[k], MagnitudePruner.select(a.clone(), k), "trial " + trial);
    }
    // equal magnitudes: the first positions are pruned first
    ParamBlock b = new ParamBlock("0", "W", 0, 8, new long[] {2, 4});
    float[] p = {1, -1, 1, 1, 0.5f, 1, 1, 1};
    PruningMask m = new MagnitudePruner(List.of(b), PruningSpec.Scope.GLOBAL).mask(p, 0.5, null);
    assertEquals(PruningMask.of(new boolean[] {true, true, true, false, true, false, false, false}), m);
  }

  @Test
  void updaterSegmentsLocateAdamsMomentsOfEachParameter() {
    Network net = mlp().build();
    ExampleBlock data = SyntheticData.tabular(64, 12, 4, 3);
    DataSet ds = Minibatches.dataSet(data, range(64), 4);
    org.deeplearning4j.nn.multilayer.MultiLayerNetwork m = (org.deeplearning4j.nn.multilayer.MultiLayerNetwork) net.dl4j();
    m.setInput(ds.getFeatures());
    m.setLabels(ds.getLabels());
    m.computeGradientAndScore();
    float[] g = FloatArrays.flat(m.gradient().gradient());
    net.fit(ds);
    float[] state = FloatArrays.flat(net.updaterState());
    List<UpdaterSegment> segs = net.updaterSegments();
    assertEquals(net.numParams(), segs.stream().mapToLong(UpdaterSegment::paramLength).sum());
    for (UpdaterSegment s : segs) {
      assertEquals(2, s.copies(), "Adam keeps two moments");
      for (long i = 0; i < s.paramLength(); i++) {
        // DL4J divides the summed gradient by the minibatch size before the updater sees it;
        // after Adam's first step: m = (1 - beta1) g, v = (1 - beta2) g^2
        double gi = g[(int) (s.paramOffset() + i)] / 64.0;
        assertEquals(0.1 * gi, state[(int) (s.stateOffset() + i)], 1e-6 + 1e-4 * Math.abs(gi), "m of " + i);
        assertEquals(0.001 * gi * gi, state[(int) (s.stateOffset() + s.paramLength() + i)],
            1e-9 + 1e-4 * gi * gi, "v of " + i);
      }
    }
  }

  @Test
  void aReplicaHoldsPrunedWeightsAndTheirMomentsAtExactlyZero() {
    ModelSpec spec = mlp();
    Network init = spec.build();
    float[] p = FloatArrays.flat(init.params());
    List<ParamBlock> weights = MagnitudePruner.eligible(init.parameterBlocks(), List.of(), "pruning.layers");
    PruningMask mask = new MagnitudePruner(weights, PruningSpec.Scope.GLOBAL).mask(p, 0.8, null);
    ExampleBlock data = SyntheticData.tabular(256, 12, 4, 11);
    Replica r = new Replica(spec);
    ModelState st = new ModelState(mask.zero(p.clone()), null, 0, 0, ModelState.Mode.RESET, 0, false, null, 1f, mask);
    r.begin(st, 1, 0);
    RoundPlan plan = new RoundPlan(1, 0, 0, 8, 32, 7, true, 4);
    ReplicaUpdate u = r.train(data, plan, 0, true, "test", null, 0, "cpu", AugmentationPipeline.none());
    assertTrue(mask.holdsIn(u.params()), "pruned weights are exactly zero after training");
    float[] zeroedState = MaskApplier.zeroState(mask, r.network().updaterSegments(), u.updaterState().clone());
    for (int i = 0; i < zeroedState.length; i++) {
      assertEquals(zeroedState[i], u.updaterState()[i], 0f, "the moments of pruned weights are already zero: " + i);
    }
    long kept = 0;
    for (int i = 0; i < p.length; i++) {
      if (!mask.isPruned(i) && u.params()[i] != st.params()[i]) {
        kept++;
      }
    }
    assertTrue(kept > (mask.length() - mask.prunedCount()) / 2, "kept weights train: " + kept);
    assertThrows(IllegalArgumentException.class, () -> new MaskApplier(PruningMask.none(3), init));
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }
}
