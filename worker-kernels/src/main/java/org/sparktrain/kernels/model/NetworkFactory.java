package org.sparktrain.kernels.model;

import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Translates layer and optimiser descriptions into a DL4J {@link MultiLayerConfiguration}. The
 * configuration's JSON is what travels to executors, so every replica builds the same network.
 */
public final class NetworkFactory {
  private NetworkFactory() {}

  /**
   * Builds the network configuration.
   *
   * @param layers the layers, the last of type {@code output}
   * @param exampleShape shape of one input example: {@code [features]}, {@code [h, w]} or {@code [h, w, c]}
   * @param numClasses units of the output layer
   * @param seed weight-initialisation seed
   */
  public static MultiLayerConfiguration build(List<LayerSpec> layers, OptimizerSpec optimizer,
                                              int[] exampleShape, int numClasses, long seed) {
    return build(layers, optimizer, exampleShape, numClasses, seed, null);
  }

  /**
   * {@link #build} with per-class loss weights ({@code classWeights[c]} multiplies class c's loss
   * term; null: unweighted).
   */
  public static MultiLayerConfiguration build(List<LayerSpec> layers, OptimizerSpec optimizer,
                                              int[] exampleShape, int numClasses, long seed, double[] classWeights) {
    if (layers.isEmpty() || !"output".equals(layers.get(layers.size() - 1).type())) {
      throw new IllegalArgumentException("model.layers: the last layer must be of type 'output'");
    }
    NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
        .weightInit(WeightInit.XAVIER)
        .updater(updater(optimizer));
    if (optimizer.weightDecay() > 0) {
      base.l2(optimizer.weightDecay());
    }
    NeuralNetConfiguration.ListBuilder list = base.list();
    boolean convolutional = layers.stream().anyMatch(l -> "conv".equals(l.type()) || "maxpool".equals(l.type()));
    boolean recurrent = checkSequence(layers, convolutional);
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      String key = "model.layers[" + i + "]";
      if (i + 1 < layers.size() && "last_time_step".equals(layers.get(i + 1).type())) {
        list.layer(new LastTimeStep(recurrentLayer(l, key)));
        i++;
        continue;
      }
      switch (l.type()) {
        case "lstm", "simple_rnn" -> list.layer(recurrentLayer(l, key));
        case "self_attention" -> list.layer(attention(l, key));
        case "global_avg_pool" -> list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        case "dense" -> list.layer(new DenseLayer.Builder()
            .nOut(required(l.units(), key + ".units"))
            .activation(activation(l.activation(), "relu", key)).build());
        case "conv" -> list.layer(new ConvolutionLayer.Builder(required(l.kernel(), key + ".kernel"),
                required(l.kernel(), key + ".kernel"))
            .stride(or(l.stride(), 1), or(l.stride(), 1))
            .nOut(required(l.filters(), key + ".filters"))
            .activation(activation(l.activation(), "identity", key)).build());
        case "maxpool" -> list.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
            .kernelSize(or(l.kernel(), 2), or(l.kernel(), 2))
            .stride(or(l.stride(), or(l.kernel(), 2)), or(l.stride(), or(l.kernel(), 2))).build());
        case "output" -> {
          if (i != layers.size() - 1) {
            throw new IllegalArgumentException(key + ".type: 'output' is only allowed as the last layer");
          }
          OutputLayer.Builder out = classWeights == null ? new OutputLayer.Builder(loss(l.loss(), key))
              : new OutputLayer.Builder().lossFunction(weightedLoss(l.loss(), key, classWeights, numClasses));
          list.layer(out.nOut(numClasses).activation(activation(l.activation(), "softmax", key)).build());
        }
        default -> throw new IllegalArgumentException(key + ".type: '" + l.type()
            + "' is not a layer type; allowed: " + LayerSpec.TYPES);
      }
    }
    if (recurrent) {
      int[] sf = stepsAndFeatures(exampleShape);
      list.inputPreProcessor(0, new RowsAsTimeSteps(sf[0], sf[1]));
    }
    list.setInputType(inputType(exampleShape, convolutional));
    return list.build();
  }

  /**
   * Sequence stacks: the first layer is a sequence layer (recurrent or self-attention; examples become
   * sequences, rows as time steps), sequence layers follow each other, and the sequence ends in
   * {@code last_time_step} (after a recurrent layer) or {@code global_avg_pool} before any dense or
   * output layer. Returns whether the network reads sequences.
   */
  private static boolean checkSequence(List<LayerSpec> layers, boolean convolutional) {
    boolean any = layers.stream().anyMatch(l -> LayerSpec.isSequence(l.type()));
    boolean sequence = false;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      String key = "model.layers[" + i + "]";
      if (l.heads() != null && !"self_attention".equals(l.type())) {
        throw new IllegalArgumentException(key + ".heads: only self_attention layers have heads ('" + l.type() + "')");
      }
      if (LayerSpec.isSequence(l.type())) {
        if (convolutional) {
          throw new IllegalArgumentException(key + ".type: '" + l.type() + "' cannot follow conv/maxpool layers here");
        }
        if (i > 0 && !sequence) {
          throw new IllegalArgumentException(key + ".type: '" + l.type() + "' needs a sequence input: put sequence "
              + "layers (lstm, simple_rnn, self_attention) first (examples become sequences, one row per time step)");
        }
        sequence = true;
      } else if ("last_time_step".equals(l.type())) {
        if (i == 0 || !LayerSpec.isRecurrent(layers.get(i - 1).type())) {
          throw new IllegalArgumentException(key + ".type: 'last_time_step' must directly follow an lstm or "
              + "simple_rnn layer");
        }
        sequence = false;
      } else if ("global_avg_pool".equals(l.type())) {
        if (!sequence) {
          throw new IllegalArgumentException(key + ".type: 'global_avg_pool' averages a sequence over time: it must "
              + "follow a sequence layer (lstm, simple_rnn, self_attention)");
        }
        sequence = false;
      } else if (sequence) {
        throw new IllegalArgumentException(key + ".type: '" + l.type() + "' after a sequence layer needs "
            + "{type: last_time_step} or {type: global_avg_pool} between them (the layer's output is a sequence)");
      }
    }
    return any;
  }

  private static org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer recurrentLayer(LayerSpec l, String key) {
    int units = required(l.units(), key + ".units");
    return switch (l.type()) {
      case "lstm" -> new LSTM.Builder().nOut(units).activation(activation(l.activation(), "tanh", key)).build();
      case "simple_rnn" -> new SimpleRnn.Builder().nOut(units).activation(activation(l.activation(), "tanh", key)).build();
      default -> throw new IllegalArgumentException(key + ".type: 'last_time_step' must directly follow an lstm or "
          + "simple_rnn layer");
    };
  }

  /**
   * Multi-head dot-product self-attention (DL4J's {@code SelfAttentionLayer}, input projected per head):
   * {@code heads} heads of {@code units / heads} values each, projected back to {@code units}.
   */
  private static SelfAttentionLayer attention(LayerSpec l, String key) {
    int units = required(l.units(), key + ".units");
    int heads = or(l.heads(), 1);
    if (heads < 1) {
      throw new IllegalArgumentException(key + ".heads: " + heads + " is not a number of heads; allowed: 1 or more");
    }
    if (units % heads != 0) {
      throw new IllegalArgumentException(key + ".heads: " + heads + " heads do not divide units " + units
          + " (each head gets units / heads values); allowed: a divisor of " + units);
    }
    return new SelfAttentionLayer.Builder().nOut(units).nHeads(heads).headSize(units / heads).projectInput(true)
        .build();
  }

  /** Time steps and features per step of examples of {@code shape}: the first dimension is time. */
  static int[] stepsAndFeatures(int[] shape) {
    if (shape.length < 2) {
      throw new IllegalArgumentException("model.layers: recurrent layers need examples of at least 2 dimensions "
          + "(time steps x features), data has shape " + java.util.Arrays.toString(shape));
    }
    int features = 1;
    for (int d = 1; d < shape.length; d++) {
      features *= shape[d];
    }
    return new int[] {shape[0], features};
  }

  /** {@link #build} as the spec replicas are built from. */
  public static ModelSpec spec(List<LayerSpec> layers, OptimizerSpec optimizer, int[] exampleShape, int numClasses,
                               long seed) {
    return ModelSpec.of(build(layers, optimizer, exampleShape, numClasses, seed));
  }

  /** {@link #build} with class weights as the spec replicas are built from. */
  public static ModelSpec spec(List<LayerSpec> layers, OptimizerSpec optimizer, int[] exampleShape, int numClasses,
                               long seed, double[] classWeights) {
    return ModelSpec.of(build(layers, optimizer, exampleShape, numClasses, seed, classWeights));
  }

  private static org.nd4j.linalg.lossfunctions.ILossFunction weightedLoss(String name, String key, double[] w,
                                                                           int numClasses) {
    if (w.length != numClasses) {
      throw new IllegalArgumentException("training.class_weights: " + w.length + " weights for " + numClasses
          + " classes");
    }
    org.nd4j.linalg.api.ndarray.INDArray weights = org.nd4j.linalg.factory.Nd4j.create(w, new long[] {1, w.length},
        DataType.FLOAT);
    return switch (loss(name, key)) {
      case MCXENT -> new org.nd4j.linalg.lossfunctions.impl.LossMCXENT(weights);
      case NEGATIVELOGLIKELIHOOD -> new org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood(weights);
      default -> throw new IllegalArgumentException(key + ".loss: class weights need mcxent or negativeloglikelihood");
    };
  }

  /**
   * Floating-point operations to train on one example: 2 x multiply-adds of the forward pass of
   * every dense and conv layer, times 3 (forward, backward to inputs, backward to weights).
   * Pooling, activations and the optimiser are not counted.
   */
  public static double trainingFlopsPerExample(List<LayerSpec> layers, int[] exampleShape, int numClasses) {
    int h = exampleShape.length >= 2 ? exampleShape[0] : 1;
    int w = exampleShape.length >= 2 ? exampleShape[1] : 1;
    int c = exampleShape.length == 3 ? exampleShape[2] : exampleShape.length == 1 ? exampleShape[0] : 1;
    long flat = (long) h * w * c;
    long seqIn = 0;
    double macs = 0;
    for (LayerSpec l : layers) {
      switch (l.type()) {
        case "conv" -> {
          int k = l.kernel();
          int s = or(l.stride(), 1);
          h = (h - k) / s + 1;
          w = (w - k) / s + 1;
          macs += (double) h * w * k * k * c * l.filters();
          c = l.filters();
          flat = (long) h * w * c;
        }
        case "maxpool" -> {
          int k = or(l.kernel(), 2);
          int s = or(l.stride(), k);
          h = (h - k) / s + 1;
          w = (w - k) / s + 1;
          flat = (long) h * w * c;
        }
        case "dense" -> {
          macs += (double) flat * l.units();
          flat = l.units();
        }
        case "lstm", "simple_rnn" -> {
          int gates = "lstm".equals(l.type()) ? 4 : 1;
          int steps = exampleShape.length >= 2 ? exampleShape[0] : 1;
          long in = flat / Math.max(1, steps);
          if (seqIn > 0) {
            in = seqIn;
          }
          macs += (double) steps * gates * (in + l.units()) * l.units();
          seqIn = l.units();
          flat = (long) steps * l.units();
        }
        case "self_attention" -> {
          int steps = exampleShape.length >= 2 ? exampleShape[0] : 1;
          long in = seqIn > 0 ? seqIn : flat / Math.max(1, steps);
          // Q, K, V projections and the output projection per step, then scores and weighted values
          macs += (double) steps * (3 * in + l.units()) * l.units() + 2.0 * steps * steps * l.units();
          seqIn = l.units();
          flat = (long) steps * l.units();
        }
        case "last_time_step", "global_avg_pool" -> flat = seqIn;
        case "output" -> macs += (double) flat * numClasses;
        default -> throw new IllegalArgumentException("unknown layer type " + l.type());
      }
    }
    return 6 * macs;
  }

  /** Parameters of the network a configuration describes, counted without building the network. */
  public static long numParams(MultiLayerConfiguration conf) {
    return conf.getConfs().stream().mapToLong(c -> c.getLayer().initializer().numParams(c)).sum();
  }

  /** A freshly initialised network for the configuration (weights from the config's seed). */
  public static MultiLayerNetwork init(MultiLayerConfiguration conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    LayerHelpers.install(net);
    return net;
  }

  private static InputType inputType(int[] shape, boolean convolutional) {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    if (!convolutional) {
      return InputType.feedForward(size);
    }
    if (shape.length < 2) {
      throw new IllegalArgumentException("model.layers: conv/maxpool layers need 2-d or 3-d examples, data has shape "
          + java.util.Arrays.toString(shape));
    }
    int channels = shape.length == 3 ? shape[2] : 1;
    return InputType.convolutionalFlat(shape[0], shape[1], channels);
  }

  static IUpdater updater(OptimizerSpec o) {
    return switch (o.type()) {
      case "adam" -> new Adam(o.learningRate());
      case "sgd" -> new Sgd(o.learningRate());
      case "nesterovs" -> new Nesterovs(o.learningRate(), o.momentum());
      case "rmsprop" -> new RmsProp(o.learningRate());
      default -> throw new IllegalArgumentException("optimizer.type: '" + o.type() + "' is not supported; allowed: "
          + OptimizerSpec.TYPES);
    };
  }

  private static Activation activation(String name, String dflt, String key) {
    String n = name == null ? dflt : name;
    try {
      return Activation.valueOf(n.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ".activation: '" + n + "' is not an activation; allowed: "
          + java.util.Arrays.stream(Activation.values()).map(a -> a.name().toLowerCase(Locale.ROOT)).toList());
    }
  }

  private static LossFunctions.LossFunction loss(String name, String key) {
    String n = name == null ? "mcxent" : name;
    return switch (n) {
      case "mcxent" -> LossFunctions.LossFunction.MCXENT;
      case "negativeloglikelihood" -> LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD;
      default -> throw new IllegalArgumentException(key + ".loss: '" + n
          + "' is not supported; allowed: [mcxent, negativeloglikelihood]");
    };
  }

  private static int required(Integer v, String key) {
    if (v == null) {
      throw new IllegalArgumentException(key + " is required for this layer type");
    }
    if (v <= 0) {
      throw new IllegalArgumentException(key + ": " + v + " must be > 0");
    }
    return v;
  }

  private static int or(Integer v, int dflt) {
    return v == null ? dflt : v;
  }
}
