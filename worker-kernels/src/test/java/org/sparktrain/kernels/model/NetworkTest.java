package org.sparktrain.kernels.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.SyntheticData;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.Minibatches;

/** Both DL4J network types behind {@link Network}: flat views, blocks, fit, save/restore. */
class NetworkTest {
  private static final OptimizerSpec ADAM = new OptimizerSpec("adam", 1e-2, 0, 0);

  /** dense 8-16, dense 16-16 added back to its input through an ElementWiseVertex, softmax output. */
  static ModelSpec skipGraph(int inputs, int classes, long seed) {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
        .weightInit(WeightInit.XAVIER).updater(new Adam(1e-2)).graphBuilder()
        .addInputs("in")
        .addLayer("d1", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "in")
        .addLayer("d2", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "d1")
        .addVertex("skip", new ElementWiseVertex(ElementWiseVertex.Op.Add), "d1", "d2")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
            .activation(Activation.SOFTMAX).build(), "skip")
        .setOutputs("out")
        .setInputTypes(InputType.feedForward(inputs))
        .build();
    return ModelSpec.of(conf);
  }

  static ModelSpec stack() {
    return NetworkFactory.spec(List.of(LayerSpec.dense(16, "relu"), LayerSpec.output("softmax")), ADAM,
        new int[] {8}, 3, 5);
  }

  @Test
  void specsTravelAsJsonAndBuildTheSameNetwork() {
    for (ModelSpec spec : List.of(stack(), skipGraph(8, 3, 5))) {
      Network a = spec.build();
      Network b = new ModelSpec(spec.kind(), spec.json()).build();
      assertEquals(spec.numParams(), a.numParams(), spec.kind() + ": numParams without building");
      assertEquals(a.params(), b.params(), spec.kind() + ": same seed, same weights");
      assertNotNull(a.updaterState(), "Adam keeps state");
      assertEquals(2 * a.numParams(), a.updaterState().length(), "Adam: two moments per parameter");
      Network c = spec.build(FloatArrays.flat(a.params()));
      assertEquals(a.params(), c.params(), "built from a given vector");
      assertThrows(IllegalArgumentException.class, () -> spec.build(new float[3]));
    }
    assertEquals(8 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3, skipGraph(8, 3, 5).numParams());
  }

  @Test
  void parameterBlocksTileTheFlatVector() {
    for (ModelSpec spec : List.of(stack(), skipGraph(8, 3, 5))) {
      Network net = spec.build();
      net.params().assign(Nd4j.linspace(1, net.numParams(), net.numParams(), DataType.FLOAT).reshape(1, -1));
      Map<String, INDArray> table = net.dl4j().paramTable();
      long next = 0;
      for (ParamBlock b : net.parameterBlocks()) {
        assertEquals(next, b.offset(), spec.kind() + ": blocks are contiguous, in order: " + b);
        next += b.length();
        INDArray slice = net.params().get(NDArrayIndex.point(0),
            NDArrayIndex.interval(b.offset(), b.offset() + b.length()));
        INDArray view = table.get(b.layer() + "_" + b.kind());
        assertArrayEquals(FloatArrays.flat(Nd4j.toFlattened('f', view)), FloatArrays.flat(slice),
            spec.kind() + ": block " + b + " is that slice of the flat vector");
      }
      assertEquals(net.numParams(), next, spec.kind() + ": blocks cover every parameter");
    }
    List<ParamBlock> g = skipGraph(8, 3, 5).build().parameterBlocks();
    assertEquals(List.of("d1_W", "d1_b", "d2_W", "d2_b", "out_W", "out_b"),
        g.stream().map(b -> b.layer() + "_" + b.kind()).toList());
    assertTrue(g.get(0).isWeight() && !g.get(1).isWeight());
  }

  @Test
  void bothKindsLearnAndSurviveSaveRestore() throws Exception {
    ExampleBlock data = SyntheticData.tabular(240, 8, 3, 9);
    for (ModelSpec spec : List.of(stack(), skipGraph(8, 3, 5))) {
      Network net = spec.build();
      DataSet all = Minibatches.dataSet(data, range(240), 3);
      net.fit(all);
      double first = net.score();
      for (int i = 0; i < 60; i++) {
        net.fit(all);
      }
      assertTrue(net.score() < first / 2, spec.kind() + ": loss " + first + " -> " + net.score());
      assertEquals(61, net.iterationCount());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      net.save(out, true);
      Network back = Networks.restore(new ByteArrayInputStream(out.toByteArray()), "model.zip");
      assertEquals(spec.kind(), back.spec().kind());
      assertEquals(net.params(), back.params());
      assertEquals(net.updaterState(), back.updaterState());
      assertEquals(net.output(all.getFeatures())[0], back.output(all.getFeatures())[0]);
    }
    assertThrows(java.io.IOException.class,
        () -> Networks.restore(new ByteArrayInputStream(new byte[] {1, 2, 3}), "junk.zip"));
  }

  @Test
  void learningRateIsSetOnEveryLayer() {
    for (ModelSpec spec : List.of(stack(), skipGraph(8, 3, 5))) {
      Network net = spec.build();
      assertEquals(1e-2, net.configuredLearningRate(), 1e-12);
      net.setLearningRate(1e-4);
      assertEquals(1e-4, net.configuredLearningRate(), 1e-12);
    }
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }
}
