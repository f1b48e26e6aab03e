package org.sparktrain.kernels.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.kernels.model.LayerSpec;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.NetworkFactory;
import org.sparktrain.kernels.model.OptimizerSpec;
import org.sparktrain.kernels.model.ParamBlock;
import org.sparktrain.kernels.train.FloatArrays;

/** Structured shrinking, sparse and int8 storage. */
class CompressionTest {
  private static final OptimizerSpec ADAM = new OptimizerSpec("adam", 1e-3, 0, 0);

  static ModelSpec mlp() {
    return NetworkFactory.spec(List.of(LayerSpec.dense(40, "relu"), LayerSpec.dense(24, "tanh"),
        LayerSpec.output("softmax")), ADAM, new int[] {20}, 5, 3);
  }

  static ModelSpec cnn() {
    return NetworkFactory.spec(List.of(new LayerSpec("conv", null, "relu", 6, 3, 1, null),
        new LayerSpec("maxpool", null, null, null, 2, 2, null), new LayerSpec("conv", null, "relu", 8, 3, 1, null),
        LayerSpec.dense(16, "relu"), LayerSpec.output("softmax")), ADAM, new int[] {12, 12}, 4, 5);
  }

  /** 6 time steps of 5 features: 4-head self-attention (width 16), averaged over time, dense, output. */
  static ModelSpec attention() {
    return NetworkFactory.spec(List.of(new LayerSpec("self_attention", 16, null, null, null, null, null, 4),
        new LayerSpec("global_avg_pool", null, null, null, null, null, null), LayerSpec.dense(12, "relu"),
        LayerSpec.output("softmax")), ADAM, new int[] {6, 5}, 3, 9);
  }

  /** Random weights far from zero so the masked network is not trivially small. */
  private static Network randomized(ModelSpec spec, long seed) {
    Network net = spec.build();
    net.params().assign(uniform(seed, (int) net.numParams()).reshape(net.params().shape()).subi(0.5).muli(0.6));
    return net;
  }

  private static INDArray uniform(long seed, int n) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextDouble();
    }
    return Nd4j.createFromArray(v);
  }

  @Test
  void theShrunkNetworkComputesWhatTheMaskedOneDoes() {
    for (ModelSpec spec : List.of(mlp(), cnn(), attention())) {
      int features = spec.equals(mlp()) ? 20 : spec.equals(cnn()) ? 144 : 30;
      Network net = randomized(spec, 11);
      StructuredPruner sp = StructuredPruner.of(net, List.of(), StructuredPruner.Norm.L2);
      PruningMask mask = sp.mask(FloatArrays.flat(net.params()), 0.5, null);
      assertEquals(Math.round(0.5 * sp.units()), sp.prunedUnits(mask), spec.kind() + ": half the units");
      FloatArrays.assign(net.params(), mask.zero(FloatArrays.flat(net.params())));
      Network small = sp.shrink(net, mask);
      assertTrue(small.numParams() < net.numParams() * 0.7, small.numParams() + " vs " + net.numParams());
      INDArray x = uniform(3, 16 * features).reshape(16, features);
      INDArray a = net.output(x)[0];
      INDArray b = small.output(x)[0];
      assertEquals(0, a.sub(b).amaxNumber().doubleValue(), 1e-5, "outputs of masked vs shrunk network");
      // a later, larger mask contains the earlier one
      PruningMask more = sp.mask(FloatArrays.flat(net.params()), 0.75, mask);
      assertTrue(more.contains(mask));
    }
  }

  @Test
  void attentionHeadsArePrunedWholeAndTheRebuiltLayerHasFewerHeads() {
    Network net = randomized(attention(), 5);
    StructuredPruner sp = StructuredPruner.of(net, List.of("0"), StructuredPruner.Norm.L1);
    assertEquals(4, sp.units(), "the attention layer's 4 heads");
    float[] p = FloatArrays.flat(net.params());
    PruningMask mask = sp.mask(p, 0.5, null);
    assertEquals(2, sp.prunedUnits(mask));
    // a head is its Wq[h], Wk[h], Wv[h] (4 x 5 each) and Wo's rows 4h..4h+3 (x 16): 124 weights, all or none
    java.util.Map<String, ParamBlock> blocks = new java.util.HashMap<>();
    for (ParamBlock b : net.parameterBlocks()) {
      blocks.put(b.layer() + "_" + b.kind(), b);
    }
    org.deeplearning4j.nn.multilayer.MultiLayerNetwork mln =
        (org.deeplearning4j.nn.multilayer.MultiLayerNetwork) net.dl4j();
    double[] l1 = new double[4];
    int prunedHeads = 0;
    for (int h = 0; h < 4; h++) {
      int masked = 0;
      for (String k : List.of("Wq", "Wk", "Wv")) {
        INDArray w = mln.getLayer(0).paramTable().get(k).get(org.nd4j.linalg.indexing.NDArrayIndex.point(h),
            org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all());
        l1[h] += w.norm1Number().doubleValue();
      }
      l1[h] += mln.getLayer(0).paramTable().get("Wo").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4 * h, 4 * h + 4),
          org.nd4j.linalg.indexing.NDArrayIndex.all()).norm1Number().doubleValue();
      for (String k : List.of("Wq", "Wk", "Wv")) {
        ParamBlock b = blocks.get("0_" + k);
        for (long i = b.offset() + h * 20L; i < b.offset() + (h + 1) * 20L; i++) {
          masked += mask.isPruned(i) ? 1 : 0;
        }
      }
      ParamBlock wo = blocks.get("0_Wo");
      for (long i = wo.offset() + h * 64L; i < wo.offset() + (h + 1) * 64L; i++) {
        masked += mask.isPruned(i) ? 1 : 0;
      }
      assertTrue(masked == 0 || masked == 124, "head " + h + ": " + masked + " of its 124 weights masked");
      prunedHeads += masked == 124 ? 1 : 0;
    }
    assertEquals(2, prunedHeads);
    assertEquals(2 * 124, mask.prunedCount(), "nothing outside the pruned heads");
    // the two smallest heads by L1 norm went
    Integer[] order = {0, 1, 2, 3};
    java.util.Arrays.sort(order, (a, b) -> Double.compare(l1[a], l1[b]));
    assertTrue(mask.isPruned(blocks.get("0_Wq").offset() + order[0] * 20L));
    assertTrue(mask.isPruned(blocks.get("0_Wq").offset() + order[1] * 20L));
    assertTrue(!mask.isPruned(blocks.get("0_Wq").offset() + order[3] * 20L));
    Network small = sp.shrink(net, mask);
    org.deeplearning4j.nn.conf.layers.SelfAttentionLayer rebuilt = (org.deeplearning4j.nn.conf.layers.SelfAttentionLayer)
        ((org.deeplearning4j.nn.multilayer.MultiLayerNetwork) small.dl4j()).getLayerWiseConfigurations().getConf(0)
            .getLayer();
    assertEquals(2, rebuilt.getNHeads());
    assertEquals(4, rebuilt.getHeadSize());
    assertEquals(16, rebuilt.getNOut(), "the layer keeps its width");
    assertEquals(net.numParams() - 2 * 124, small.numParams());
  }

  @Test
  void structuredPruningRefusesWhatItCannotRebuild() {
    Network net = mlp().build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StructuredPruner.of(net, List.of("2"), StructuredPruner.Norm.L2));
    assertTrue(e.getMessage().startsWith("pruning.layers[0]: layer '2' has no neurons or filters to remove"),
        e.getMessage());
    Network sig = NetworkFactory.spec(List.of(LayerSpec.dense(8, "sigmoid"), LayerSpec.output("softmax")), ADAM,
        new int[] {4}, 3, 1).build();
    e = assertThrows(IllegalArgumentException.class, () -> StructuredPruner.of(sig, List.of(), StructuredPruner.Norm.L1));
    assertTrue(e.getMessage().contains("f(0) = 0"), e.getMessage());
  }

  @Test
  void sparseStorageIsExactAndInt8IsWithinHalfAScaleStep() throws Exception {
    Network net = randomized(mlp(), 5);
    float[] p = FloatArrays.flat(net.params());
    List<ParamBlock> weights = MagnitudePruner.eligible(net.parameterBlocks(), List.of(), "pruning.layers");
    PruningMask mask = new MagnitudePruner(weights, PruningSpec.Scope.GLOBAL).mask(p, 0.9, null);
    byte[] unpruned = CompactModel.sparse(net);
    FloatArrays.assign(net.params(), mask.zero(p.clone()));
    byte[] sparse = CompactModel.sparse(net);
    assertEquals(4 * mask.prunedCount(), unpruned.length - sparse.length, "4 bytes saved per pruned weight");
    Network back = CompactModel.read(sparse, "model-sparse.bin");
    assertArrayEquals(FloatArrays.flat(net.params()), FloatArrays.flat(back.params()));

    Network dense = randomized(mlp(), 6);
    byte[] q = CompactModel.int8(dense);
    Network dq = CompactModel.read(q, "model-int8.bin");
    float[] a = FloatArrays.flat(dense.params());
    float[] b = FloatArrays.flat(dq.params());
    for (ParamBlock blk : dense.parameterBlocks()) {
      int channels = CompactModel.channels(blk);
      long per = blk.length() / channels;
      for (int c = 0; c < channels; c++) {
        float max = 0;
        for (long i = blk.offset() + c * per; i < blk.offset() + (c + 1) * per; i++) {
          max = Math.max(max, Math.abs(a[(int) i]));
        }
        double bound = blk.isWeight() ? max / 127.0 / 2 + 1e-7 : 0;
        for (long i = blk.offset() + c * per; i < blk.offset() + (c + 1) * per; i++) {
          assertEquals(a[(int) i], b[(int) i], bound, blk + " channel " + c);
        }
      }
    }
    assertEquals(List.of(1L, 40L), List.of((long) CompactModel.channels(dense.parameterBlocks().get(1)),
        (long) CompactModel.channels(dense.parameterBlocks().get(0))), "bias one channel, dense W one per neuron");
    long weightCount = 0;
    long scales = 0;
    long others = 0;
    for (ParamBlock blk : dense.parameterBlocks()) {
      if (blk.isWeight()) {
        weightCount += blk.length();
        scales += CompactModel.channels(blk);
      } else {
        others += blk.length();
      }
    }
    long header = CompactModel.sparse(dense).length - 8L * ((a.length + 63) / 64) - 4 - 4L * a.length;
    assertEquals(header + 4 + dense.parameterBlocks().size() * 20L + weightCount + 4 * scales + 4 * others, q.length,
        "int8 file: header, then per block offset/length/channels, scales and one byte per weight");
    java.io.IOException e = assertThrows(java.io.IOException.class,
        () -> CompactModel.read(java.util.Arrays.copyOf(q, q.length / 2), "model-int8.bin"));
    assertTrue(e.getMessage().contains("model-int8.bin is truncated"), e.getMessage());
  }
}
