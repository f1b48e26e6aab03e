package org.sparktrain.kernels.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** lstm / simple_rnn / last_time_step: flat examples become sequences, one row per time step. */
class RecurrentNetworkTest {
  private static final OptimizerSpec ADAM = new OptimizerSpec("adam", 1e-3, 0.9, 0);

  private static LayerSpec layer(String type, Integer units) {
    return new LayerSpec(type, units, null, null, null, null, null);
  }

  static List<LayerSpec> lstm(int units) {
    return List.of(layer("lstm", units), layer("last_time_step", null), LayerSpec.output("softmax"));
  }

  @Test
  void rowsBecomeTimeStepsExactlyAsAHandBuiltSequence() {
    int steps = 5;
    int features = 3;
    MultiLayerNetwork ours = NetworkFactory.init(NetworkFactory.build(lstm(4), ADAM, new int[] {steps, features}, 2, 7));
    // the same network fed [mb, features, steps] directly (no preprocessor), with our parameters
    MultiLayerConfiguration plain = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).list()
        .layer(new LastTimeStep(new LSTM.Builder().nOut(4).activation(Activation.TANH).build()))
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.recurrent(features, steps)).build();
    MultiLayerNetwork reference = new MultiLayerNetwork(plain);
    reference.init(ours.params().dup(), false);
    INDArray flat = Nd4j.rand(DataType.FLOAT, 6, steps * features);
    INDArray seq = Nd4j.create(DataType.FLOAT, 6, features, steps);
    for (int b = 0; b < 6; b++) {
      for (int t = 0; t < steps; t++) {
        for (int f = 0; f < features; f++) {
          seq.putScalar(new int[] {b, f, t}, flat.getFloat(b, t * features + f));
        }
      }
    }
    INDArray a = ours.output(flat);
    INDArray r = reference.output(seq);
    assertEquals(0.0, a.sub(r).amaxNumber().doubleValue(), 1e-6, "row t of the example is time step t");
    assertEquals(a, ours.output(flat.dup('f')), "column-major examples read the same");
  }

  @Test
  void gradientsThroughThePreprocessorMatchFiniteDifferences() {
    DataType was = Nd4j.dataType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      checkGradients();
    } finally {
      Nd4j.setDefaultDataTypes(was, was);
    }
  }

  private static void checkGradients() {
    for (String type : List.of("lstm", "simple_rnn")) {
      MultiLayerConfiguration conf = NetworkFactory.build(List.of(layer(type, 3), layer("last_time_step", null),
          LayerSpec.dense(4, "tanh"), LayerSpec.output("softmax")), new OptimizerSpec("sgd", 1.0, 0, 0),
          new int[] {4, 2}, 3, 11);
      MultiLayerNetwork net = NetworkFactory.init(conf).convertDataType(DataType.DOUBLE);
      INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 8);
      INDArray y = Nd4j.zeros(DataType.DOUBLE, 5, 3);
      for (int i = 0; i < 5; i++) {
        y.putScalar(i, i % 3, 1.0);
      }
      boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
          .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
      assertTrue(ok, type + ": analytic gradients differ from finite differences");
      // the gradient reaching the flat input (the preprocessor's backward pass) against finite differences
      INDArray eps = net.calculateGradients(x, y, null, null).getSecond();
      for (int b = 0; b < 5; b++) {
        for (int j = 0; j < 8; j++) {
          double h = 1e-6;
          double orig = x.getDouble(b, j);
          x.putScalar(b, j, orig + h);
          double up = net.score(new org.nd4j.linalg.dataset.DataSet(x, y), false);
          x.putScalar(b, j, orig - h);
          double down = net.score(new org.nd4j.linalg.dataset.DataSet(x, y), false);
          x.putScalar(b, j, orig);
          double numeric = (up - down) / (2 * h) * 5;   // score is the minibatch mean; the gradient is per sum
          assertEquals(numeric, eps.getDouble(b, j), 1e-5 + 1e-3 * Math.abs(numeric),
              type + ": input gradient at example " + b + ", value " + j);
        }
      }
    }
  }

  @Test
  void savedRecurrentModelsReloadAndCountTheirWork() throws Exception {
    MultiLayerNetwork net = NetworkFactory.init(NetworkFactory.build(lstm(16), ADAM, new int[] {28, 28}, 10, 3));
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    ModelSerializer.writeModel(net, buf, true);
    MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new java.io.ByteArrayInputStream(buf.toByteArray()), true);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 784);
    assertEquals(net.output(x), back.output(x));
    // LSTM: 4 gates x (28 inputs + 16 recurrent) x 16 units per step, 28 steps; output 16 x 10; x 6
    assertEquals(6.0 * (28.0 * 4 * (28 + 16) * 16 + 16 * 10),
        NetworkFactory.trainingFlopsPerExample(lstm(16), new int[] {28, 28}, 10));
    assertEquals(4L * ((28 + 16) * 16 + 16) + 16 * 10 + 10, net.numParams());
  }

  @Test
  void badRecurrentStacksNameTheLayer() {
    int[] shape = {28, 28};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(layer("lstm", 8), LayerSpec.output("softmax")), ADAM, shape, 10, 1));
    assertTrue(e.getMessage().startsWith("model.layers[1].type: 'output' after a sequence layer needs {type: "
        + "last_time_step}"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(layer("last_time_step", null), LayerSpec.output("softmax")), ADAM, shape, 10, 1));
    assertTrue(e.getMessage().startsWith("model.layers[0].type: 'last_time_step' must directly follow"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(LayerSpec.dense(8, "relu"), layer("lstm", 8), layer("last_time_step", null), LayerSpec.output("softmax")),
        ADAM, shape, 10, 1));
    assertTrue(e.getMessage().startsWith("model.layers[1].type: 'lstm' needs a sequence input"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(
        List.of(layer("lstm", null), layer("last_time_step", null), LayerSpec.output("softmax")), ADAM, shape, 10, 1));
    assertTrue(e.getMessage().startsWith("model.layers[0].units is required"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(lstm(8), ADAM, new int[] {784}, 10, 1));
    assertTrue(e.getMessage().contains("time steps x features"), e.getMessage());
  }
}
