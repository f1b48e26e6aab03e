package org.sparktrain.kernels.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.kernels.device.NativeBackend;

/**
 * The native helpers compute what DL4J's own layer code computes: the same outputs, gradients and
 * trained parameters (1e-5), for every layer type they are installed in.
 */
class LayerHelpersTest {
  private static final int BATCH = 16;

  /** conv (same and truncate, relu and identity), max and average pooling, batch norm, LRN, dense, output. */
  private static MultiLayerConfiguration cnn() {
    return new NeuralNetConfiguration.Builder().seed(11).updater(new Adam(1e-2)).list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).convolutionMode(ConvolutionMode.Same)
            .activation(Activation.RELU).build())
        .layer(new BatchNormalization.Builder().build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(8).activation(Activation.IDENTITY).build())
        .layer(new LocalResponseNormalization.Builder().build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
        .layer(new DenseLayer.Builder().nOut(20).activation(Activation.TANH).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutionalFlat(20, 20, 1)).build();
  }

  private static INDArray[] batch(int seed) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    float[] v = new float[BATCH * 400];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextDouble();
    }
    INDArray x = Nd4j.createFromArray(v).reshape(BATCH, 400);
    INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 4);
    for (int i = 0; i < BATCH; i++) {
      y.putScalar(i, (i * 7 + seed) % 4, 1.0);
    }
    return new INDArray[] {x, y};
  }

  private static MultiLayerNetwork plain() {
    MultiLayerNetwork net = new MultiLayerNetwork(cnn());
    net.init();
    return net;
  }

  @Test
  void helpersGiveDl4jsOutputsGradientsAndTrainedParameters() {
    assertTrue(LayerHelpers.enabled(), "CPU backend, helpers not turned off");
    MultiLayerNetwork dl4j = plain();
    MultiLayerNetwork helped = plain();
    assertEquals(5, LayerHelpers.install(helped), "2 conv + batch norm + 2 pooling layers");
    assertNull(LayerHelpers.helperOf(helped.getLayer(4)), "LRN keeps DL4J's code (its helper is less accurate)");
    for (int i : new int[] {0, 1, 2, 3, 5}) {
      assertNotNull(LayerHelpers.helperOf(helped.getLayer(i)), "layer " + i + " has a native helper");
      assertNull(LayerHelpers.helperOf(dl4j.getLayer(i)), "DL4J M2 creates none itself (layer " + i + ")");
    }
    assertEquals(dl4j.params(), helped.params());

    // DL4J's own float32 code and the native ops sum in different orders, and batch normalisation in
    // training mode divides by a batch's spread, which magnifies those last-bit differences. So each float32
    // result is held to a float64 reference of the same network (DL4J's code, no helpers): the helpers'
    // error must be no larger than DL4J's own (within a factor of 2) or 1e-5 of the largest value.
    MultiLayerNetwork exact = dl4j.convertDataType(DataType.DOUBLE);
    INDArray[] b = batch(1);
    assertClose("inference output", dl4j.output(b[0], false), helped.output(b[0], false), 1e-5);
    asAccurate("training-mode output", exact.output(b[0].castTo(DataType.DOUBLE), true), dl4j.output(b[0], true),
        helped.output(b[0], true));

    double[] scores = new double[3];
    INDArray[] grads = new INDArray[3];
    MultiLayerNetwork[] nets = {exact, dl4j, helped};
    for (int i = 0; i < 3; i++) {
      DataType t = i == 0 ? DataType.DOUBLE : DataType.FLOAT;
      nets[i].setInput(b[0].castTo(t));
      nets[i].setLabels(b[1].castTo(t));
      nets[i].computeGradientAndScore();
      scores[i] = nets[i].score();
      grads[i] = nets[i].gradient().gradient().dup();
    }
    assertTrue(Math.abs(scores[2] - scores[0]) <= Math.max(1e-5, 2 * Math.abs(scores[1] - scores[0])),
        "score " + scores[2] + " vs float64 " + scores[0] + " (DL4J float32 " + scores[1] + ")");
    asAccurate("gradient", grads[0], grads[1], grads[2]);

    for (int step = 0; step < 5; step++) {
      INDArray[] s = batch(100 + step);
      exact.fit(s[0].castTo(DataType.DOUBLE), s[1].castTo(DataType.DOUBLE));
      dl4j.fit(s[0], s[1]);
      helped.fit(s[0], s[1]);
    }
    asAccurate("parameters after 5 Adam steps", exact.params(), dl4j.params(), helped.params());
    asAccurate("updater state after 5 Adam steps", exact.getUpdater().getStateViewArray(),
        dl4j.getUpdater().getStateViewArray(), helped.getUpdater().getStateViewArray());
  }

  @Test
  void everyNetworkSparktrainBuildsGetsThemAndTheSwitchTurnsThemOff() throws java.io.IOException {
    ModelSpec spec = ModelSpec.of(cnn());
    Network on = spec.build();
    assertNotNull(LayerHelpers.helperOf(((MultiLayerNetwork) on.dl4j()).getLayer(0)));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    on.save(bytes, true);
    Network reloaded = Networks.restore(new java.io.ByteArrayInputStream(bytes.toByteArray()), "model.zip");
    assertNotNull(LayerHelpers.helperOf(((MultiLayerNetwork) reloaded.dl4j()).getLayer(3)), "a restored model too");
    System.setProperty(LayerHelpers.PROPERTY, "off");
    try {
      Network off = spec.build();
      assertNull(LayerHelpers.helperOf(((MultiLayerNetwork) off.dl4j()).getLayer(0)));
    } finally {
      System.clearProperty(LayerHelpers.PROPERTY);
    }
  }

  @Test
  void theBuildNamesItsNativesAndJavaCppLoadedThem() {
    assertEquals(NativeBackend.extension(), System.getProperty(NativeBackend.EXTENSION_PROPERTY, ""),
        "tests run with the platform extension of the build");
    assertTrue(NativeBackend.classifier().startsWith("linux-x86_64"), NativeBackend.classifier());
    assertTrue(NativeBackend.classifier().endsWith(NativeBackend.extension()), NativeBackend.classifier());
  }

  private static void asAccurate(String what, INDArray exact, INDArray dl4j, INDArray helped) {
    double own = maxDiff(exact, dl4j);
    double ours = maxDiff(exact, helped);
    double scale = Math.max(1.0, exact.amaxNumber().doubleValue());
    System.out.printf("%s: max |value| %.3g, max |error| vs float64: DL4J %.3g, native helpers %.3g%n", what, scale,
        own, ours);
    assertTrue(ours <= Math.max(1e-5 * scale, 2 * own), what + ": max |error| " + ours + " vs DL4J's own " + own
        + " (max |value| " + scale + ")");
  }

  private static double maxDiff(INDArray a, INDArray b) {
    return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
  }

  private static void assertClose(String what, INDArray expected, INDArray actual, double tol) {
    assertEquals(expected.length(), actual.length(), what);
    double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
    double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    assertTrue(diff <= tol * scale, what + ": max |difference| " + diff + " > " + tol * scale);
  }
}
