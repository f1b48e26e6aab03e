package org.sparktrain.kernels.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

class NetworkFactoryTest {
  private static final OptimizerSpec ADAM = new OptimizerSpec("adam", 1e-3, 0.9, 0);

  @Test
  void mlpHasExpectedParameterCount() {
    MultiLayerConfiguration conf = NetworkFactory.build(
        List.of(LayerSpec.dense(256, "relu"), LayerSpec.dense(128, "relu"), LayerSpec.output("softmax")),
        ADAM, new int[] {28, 28}, 10, 1);
    MultiLayerNetwork net = NetworkFactory.init(conf);
    assertEquals(784L * 256 + 256 + 256L * 128 + 128 + 128L * 10 + 10, net.numParams());
    assertEquals(net.numParams(), NetworkFactory.numParams(conf));
    assertEquals(conf.toJson(), MultiLayerConfiguration.fromJson(conf.toJson()).toJson());
    assertEquals(6.0 * (784 * 256 + 256 * 128 + 128 * 10), NetworkFactory.trainingFlopsPerExample(
        List.of(LayerSpec.dense(256, "relu"), LayerSpec.dense(128, "relu"), LayerSpec.output("softmax")),
        new int[] {28, 28}, 10));
  }

  @Test
  void lenetLikeCnnBuilds() {
    List<LayerSpec> layers = List.of(
        new LayerSpec("conv", null, "identity", 20, 5, 1, null),
        new LayerSpec("maxpool", null, null, null, 2, 2, null),
        new LayerSpec("conv", null, "identity", 50, 5, 1, null),
        new LayerSpec("maxpool", null, null, null, 2, 2, null),
        LayerSpec.dense(500, "relu"), LayerSpec.output("softmax"));
    MultiLayerConfiguration cnn = NetworkFactory.build(layers, ADAM, new int[] {28, 28}, 10, 1);
    MultiLayerNetwork net = NetworkFactory.init(cnn);
    assertEquals(net.numParams(), NetworkFactory.numParams(cnn));
    // conv1 520 + conv2 25,050 + dense 800*500+500 + output 5,010
    assertEquals(520 + 25_050 + 400_500 + 5_010, net.numParams());
    // 24*24*25*20 + 8*8*25*20*50 + 800*500 + 500*10 multiply-adds, x6
    assertEquals(6.0 * (288_000 + 1_600_000 + 400_000 + 5_000),
        NetworkFactory.trainingFlopsPerExample(layers, new int[] {28, 28}, 10));
  }

  @Test
  void sameSeedSameWeights() {
    List<LayerSpec> layers = List.of(LayerSpec.dense(8, "relu"), LayerSpec.output("softmax"));
    MultiLayerNetwork a = NetworkFactory.init(NetworkFactory.build(layers, ADAM, new int[] {4}, 3, 5));
    MultiLayerNetwork b = NetworkFactory.init(NetworkFactory.build(layers, ADAM, new int[] {4}, 3, 5));
    MultiLayerNetwork c = NetworkFactory.init(NetworkFactory.build(layers, ADAM, new int[] {4}, 3, 6));
    assertEquals(a.params(), b.params());
    assertTrue(!a.params().equals(c.params()));
  }

  @Test
  void badLayersNameTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(LayerSpec.dense(8, "sigmoidal"), LayerSpec.output("softmax")), ADAM, new int[] {4}, 3, 1));
    assertTrue(e.getMessage().startsWith("model.layers[0].activation"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(LayerSpec.dense(8, "relu")), ADAM, new int[] {4}, 3, 1));
    assertTrue(e.getMessage().contains("last layer must be of type 'output'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(new LayerSpec("dense", null, "relu", null, null, null, null), LayerSpec.output("softmax")),
        ADAM, new int[] {4}, 3, 1));
    assertTrue(e.getMessage().startsWith("model.layers[0].units is required"), e.getMessage());
  }
}
