package org.sparktrain.kernels.model;

import java.lang.reflect.Field;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Puts libnd4j's native convolution, pooling and batch-normalisation ops under DL4J's CNN layers on CPU.
 *
 * <p>DL4J 1.0.0-M2's {@code ConvolutionLayer}, {@code SubsamplingLayer}, {@code BatchNormalization} and
 * {@code LocalResponseNormalization} compute with Java-side im2col and element-wise code unless they get a
 * "helper". Their CPU helpers ({@code MKLDNN*Helper}) call libnd4j's {@code conv2d}, {@code conv2d_bp},
 * pooling and batch-norm ops, which run on oneDNN in the oneDNN build of ND4J, but M2 never creates them:
 * helper creation is off by default ({@code org.eclipse.deeplearning4j.helpers.disable}) and the check the
 * helpers make looks for {@code org.nd4j.nativeblas.Nd4jCpu$Environment}, a class M2 does not ship, so it
 * always fails. This class installs the helpers itself after a network is initialised.
 *
 * <p>Same math (the helpers compute the layer's forward pass and gradients with the native ops; the
 * equivalence is tested to 1e-5), much less time: LeNet-5-like CNN, batch 64, one thread, replica step
 * 300 -> 90 ms, batch-256 inference 407 -> 63 ms (2026-12-03, README "Hardware"). Layers whose helper
 * cannot handle an input (e.g. p-norm pooling) fall back to DL4J's code, as DL4J's own helpers do.
 * Local response normalisation keeps DL4J's code: its helper's training-mode output was 1e-4 away from
 * a float64 reference where DL4J's own is 1e-7 ({@code LayerHelpersTest}).
 * Exact classes only: subclasses (1D, depthwise, separable, deconvolution) keep DL4J's code.
 *
 * <p>Off with {@code -D}{@value #PROPERTY}{@code =off} (e.g. to measure the difference); never on
 * non-CPU backends (CUDA has cuDNN helpers of its own).
 */
public final class LayerHelpers {
  /** System property turning the helpers off ({@code off}); anything else or unset means on. */
  public static final String PROPERTY = "sparktrain.layer.helpers";

  private static final Field CONV = field(ConvolutionLayer.class);
  private static final Field POOL = field(SubsamplingLayer.class);
  private static final Field BATCH_NORM = field(BatchNormalization.class);

  private LayerHelpers() {}

  /** Whether helpers are installed in this JVM: a CPU backend and not turned off. */
  public static boolean enabled() {
    return !"off".equalsIgnoreCase(System.getProperty(PROPERTY, "on"))
        && "CPU".equalsIgnoreCase(Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend"));
  }

  /** Installs the helpers in a layer stack's layers; returns how many layers got one. */
  public static int install(MultiLayerNetwork net) {
    return enabled() ? install(net.getLayers()) : 0;
  }

  /** Installs the helpers in a graph's layers; returns how many layers got one. */
  public static int install(ComputationGraph net) {
    return enabled() ? install(net.getLayers()) : 0;
  }

  private static int install(Layer[] layers) {
    int n = 0;
    for (Layer l : layers) {
      n += set(l, ConvolutionLayer.class, CONV, MKLDNNConvHelper::new)
          + set(l, SubsamplingLayer.class, POOL, MKLDNNSubsamplingHelper::new)
          + set(l, BatchNormalization.class, BATCH_NORM, MKLDNNBatchNormHelper::new);
    }
    return n;
  }

  private static int set(Layer l, Class<?> type, Field f, Function<DataType, Object> helper) {
    if (l.getClass() != type) {
      return 0;
    }
    try {
      if (f.get(l) == null) {
        f.set(l, helper.apply(l.params() == null || l.params().isEmpty() ? DataType.FLOAT : l.params().dataType()));
      }
      return 1;
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot set the native helper of " + type.getName(), e);
    }
  }

  private static Field field(Class<?> type) {
    try {
      Field f = type.getDeclaredField("helper");
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(type.getName() + " has no helper field: is DL4J not 1.0.0-M2?", e);
    }
  }

  /** The helper a layer computes with, or null (for tests and diagnostics). */
  public static Object helperOf(Layer l) {
    for (Field f : new Field[] {CONV, POOL, BATCH_NORM}) {
      if (f.getDeclaringClass() == l.getClass()) {
        try {
          return f.get(l);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return null;
  }
}
