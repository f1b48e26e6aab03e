package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.sparktrain.kernels.train.ReplicaUpdate;

/** Example-weighted averaging arithmetic, including replicas that trained nothing. */
class ParameterSumTest {
  private static ReplicaUpdate update(int partition, long examples, float[] params, float[] updater) {
    return ReplicaUpdate.builder().partition(partition).params(params).updaterState(updater).examples(examples)
        .batches((int) Math.min(1, examples)).lossSum(examples * 0.5).computeSeconds(0.1).dataSeconds(0.01)
        .loadSeconds(0.001).worker("test").device("cpu").build();
  }

  @Test
  void weightsByExamples() {
    ParameterSum a = new ParameterSum().add(update(0, 3, new float[] {1, 10}, new float[] {2}));
    ParameterSum b = new ParameterSum().add(update(1, 1, new float[] {5, 2}, new float[] {6}));
    ParameterSum sum = a.merge(b);
    assertEquals(4, sum.examples());
    assertArrayEquals(new float[] {2f, 8f}, sum.averageParams(), 1e-6f);
    assertArrayEquals(new float[] {3f}, sum.averageUpdater(), 1e-6f);
    assertEquals(0.5, sum.meanLoss(), 1e-12);
  }

  @Test
  void emptyReplicasDoNotSkew() {
    ParameterSum sum = new ParameterSum()
        .add(update(0, 0, new float[] {100, 100}, null))
        .add(update(1, 2, new float[] {1, 3}, null))
        .merge(new ParameterSum().add(update(2, 0, new float[] {-7, -7}, null)));
    assertEquals(2, sum.examples());
    assertArrayEquals(new float[] {1f, 3f}, sum.averageParams(), 0f);
    assertNull(sum.averageUpdater());
    assertEquals(3, sum.workers().size(), "empty replicas still report their stats");
    assertEquals(0, sum.workers().get(0).partition());
  }

  @Test
  void spreadIsRmsDistanceFromAverage() {
    float[] start = {0, 0};
    ParameterSum sum = new ParameterSum()
        .add(ReplicaUpdate.builder().partition(0).params(new float[] {1, 0}).examples(1).batches(1).deltaSquaredNorm(1.0).worker("a")
            .device("cpu").build())
        .add(ReplicaUpdate.builder().partition(1).params(new float[] {-1, 0}).examples(1).batches(1).deltaSquaredNorm(1.0).worker("b")
            .device("cpu").build());
    float[] avg = sum.averageParams();
    assertArrayEquals(new float[] {0, 0}, avg, 0f);
    assertEquals(1.0, sum.replicaSpread(start, avg), 1e-12);
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    ParameterSum sum = new ParameterSum().add(update(4, 2, new float[] {1.5f, -2f}, new float[] {3f}));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sum);
    }
    ParameterSum back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (ParameterSum) in.readObject();
    }
    assertEquals(2, back.examples());
    assertArrayEquals(new float[] {1.5f, -2f}, back.averageParams(), 1e-6f);
    assertEquals(4, back.workers().get(0).partition());
  }

  /** Adding each result in turn ({@code acc += w * x} in float) and dividing in double afterwards. */
  private static float[] sequential(float[][] xs, long[] ws) {
    float[] acc = xs[0].clone();
    for (int i = 0; i < acc.length; i++) {
      acc[i] *= (float) ws[0];
    }
    long total = ws[0];
    for (int t = 1; t < xs.length; t++) {
      for (int i = 0; i < acc.length; i++) {
        acc[i] += (float) ws[t] * xs[t][i];
      }
      total += ws[t];
    }
    double inv = 1.0 / total;
    for (int i = 0; i < acc.length; i++) {
      acc[i] = (float) (acc[i] * inv);
    }
    return acc;
  }

  @Test
  void fusedAveragingIsBitwiseTheSequentialSumForOneTwoAndFourReplicas() {
    java.util.Random r = new java.util.Random(5);
    for (int m : new int[] {1, 2, 4}) {
      float[][] xs = new float[m][1000];
      float[][] us = new float[m][300];
      long[] ws = new long[m];
      ParameterSum sum = new ParameterSum();
      for (int t = 0; t < m; t++) {
        for (int i = 0; i < 1000; i++) {
          xs[t][i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < 300; i++) {
          us[t][i] = r.nextFloat();
        }
        ws[t] = 37 + 13 * t;
        sum.add(update(t, ws[t], xs[t].clone(), us[t].clone()));
      }
      assertArrayEquals(sequential(xs, ws), sum.averageParams(), 0f, m + " replicas");
      assertArrayEquals(sequential(us, ws), sum.averageUpdater(), 0f, m + " replicas' updater state");
      assertEquals(java.util.Arrays.stream(ws).sum(), sum.examples());
    }
  }

  @Test
  void aNonFiniteReplicaIsFoundOnlyWhenTheSumIsNotFiniteAndTheOthersAreAveragedExactly() {
    float[] a = {1, 2, 3};
    float[] b = {5, Float.NaN, 7};
    float[] c = {9, 10, 11};
    ParameterSum sum = new ParameterSum()
        .add(update(0, 2, a.clone(), new float[] {1}))
        .add(update(1, 2, b.clone(), new float[] {1}))
        .add(update(2, 4, c.clone(), new float[] {Float.POSITIVE_INFINITY}))
        .add(update(3, 4, c.clone(), new float[] {2}))
        .average();
    assertEquals(java.util.List.of(1, 2), java.util.List.copyOf(sum.excluded().keySet()));
    assertEquals("parameter 1 is NaN", sum.excluded().get(1));
    assertEquals("updater state value 0 is Infinity", sum.excluded().get(2));
    assertEquals(6, sum.examples(), "only the finite replicas count");
    assertArrayEquals(sequential(new float[][] {a, c}, new long[] {2, 4}), sum.averageParams(), 0f);
    assertArrayEquals(new float[] {(float) ((2f * 1 + 4f * 2) * (1.0 / 6))}, sum.averageUpdater(), 0f);
    assertTrue(sum.workers().get(1).excluded().contains("NaN"));
  }

  @Test
  void spreadAndNormComeFromOnePass() {
    float[] start = {0, 0};
    ParameterSum sum = new ParameterSum()
        .add(ReplicaUpdate.builder().partition(0).params(new float[] {4, 0}).examples(1).batches(1).deltaSquaredNorm(16.0).worker("a")
            .device("cpu").build())
        .add(ReplicaUpdate.builder().partition(1).params(new float[] {2, 0}).examples(1).batches(1).deltaSquaredNorm(4.0).worker("b")
            .device("cpu").build());
    float[] avg = sum.averageParams();
    double[] d = sum.distances(start, avg);
    assertEquals(1.0, d[0], 1e-12, "RMS distance of 4 and 2 from 3");
    assertEquals(3.0, d[1], 1e-12, "norm of the average");
  }
}
