package org.sparktrain.kernels.prune;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.kernels.model.Network;

/** Inference latency of a network on this machine: the median of timed forward passes after a warm-up. */
public final class Latency {
  private Latency() {}

  /**
   * Median milliseconds of one forward pass of {@code batch} examples of {@code features} values
   * (fixed seeded inputs), after {@code warmup} untimed passes.
   */
  public static double medianMillis(Network net, int features, int batch, int warmup, int reps) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
    float[] v = new float[batch * features];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextDouble();
    }
    INDArray x = Nd4j.createFromArray(v).reshape(batch, features).castTo(DataType.FLOAT);
    for (int i = 0; i < warmup; i++) {
      net.output(x);
    }
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      net.output(x);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[reps / 2];
  }
}
