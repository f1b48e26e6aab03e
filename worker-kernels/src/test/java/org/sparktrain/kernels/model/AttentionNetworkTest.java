package org.sparktrain.kernels.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** self_attention and global_avg_pool layers: what they build, count and refuse. */
class AttentionNetworkTest {
  private static final OptimizerSpec ADAM = new OptimizerSpec("adam", 1e-3, 0.9, 0);

  private static LayerSpec attention(Integer units, Integer heads) {
    return new LayerSpec("self_attention", units, null, null, null, null, null, heads);
  }

  private static LayerSpec of(String type) {
    return new LayerSpec(type, null, null, null, null, null, null);
  }

  @Test
  void attentionOverRowsBuildsTrainsAndCountsItsWork() {
    List<LayerSpec> layers = List.of(attention(32, 4), of("global_avg_pool"), LayerSpec.output("softmax"));
    MultiLayerNetwork net = NetworkFactory.init(NetworkFactory.build(layers, ADAM, new int[] {28, 28}, 10, 3));
    SelfAttentionLayer a = (SelfAttentionLayer) net.getLayerWiseConfigurations().getConf(0).getLayer();
    assertEquals(4, a.getNHeads());
    assertEquals(8, a.getHeadSize());
    assertEquals(28, a.getNIn(), "each time step is one 28-pixel row");
    // Wq, Wk, Wv: 4 heads x 8 x 28; Wo: 32 x 32; output 32 x 10 + 10
    assertEquals(3L * 4 * 8 * 28 + 32 * 32 + 32 * 10 + 10, net.numParams());
    assertEquals(6.0 * (28.0 * (3 * 28 + 32) * 32 + 2.0 * 28 * 28 * 32 + 32 * 10),
        NetworkFactory.trainingFlopsPerExample(layers, new int[] {28, 28}, 10));
    INDArray x = Nd4j.rand(DataType.FLOAT, 8, 784);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 10);
    for (int i = 0; i < 8; i++) {
      y.putScalar(i, i % 10, 1.0);
    }
    double first = 0;
    for (int step = 0; step < 30; step++) {
      net.fit(x, y);
      first = step == 0 ? net.score() : first;
    }
    assertTrue(net.score() < first, "loss falls on a fixed batch: " + first + " -> " + net.score());
    assertEquals(8, net.output(x).size(0));
  }

  @Test
  void badAttentionStacksNameTheLayer() {
    int[] shape = {28, 28};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(attention(30, 4), of("global_avg_pool"), LayerSpec.output("softmax")), ADAM, shape, 10, 1));
    assertEquals("model.layers[0].heads: 4 heads do not divide units 30 (each head gets units / heads values); "
        + "allowed: a divisor of 30", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(attention(null, 2), of("global_avg_pool"), LayerSpec.output("softmax")), ADAM, shape, 10, 1));
    assertTrue(e.getMessage().startsWith("model.layers[0].units is required"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(attention(32, 4), LayerSpec.output("softmax")), ADAM, shape, 10, 1));
    assertTrue(e.getMessage().startsWith("model.layers[1].type: 'output' after a sequence layer needs {type: "
        + "last_time_step} or {type: global_avg_pool}"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(LayerSpec.dense(16, "relu"), of("global_avg_pool"), LayerSpec.output("softmax")), ADAM, shape, 10, 1));
    assertTrue(e.getMessage().startsWith("model.layers[1].type: 'global_avg_pool' averages a sequence"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(new LayerSpec("dense", 16, "relu", null, null, null, null, 2), LayerSpec.output("softmax")), ADAM, shape,
        10, 1));
    assertEquals("model.layers[0].heads: only self_attention layers have heads ('dense')", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(attention(32, 0), of("global_avg_pool"), LayerSpec.output("softmax")), ADAM, shape, 10, 1));
    assertTrue(e.getMessage().startsWith("model.layers[0].heads: 0 is not a number of heads"), e.getMessage());
  }
}
