package org.sparktrain.kernels.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tabular and sequence operations: shape kept, zero strength is identity, seeds reproduce. */
class TabularSequenceOpsTest {
  private static float[] seq(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = i + 1;
    }
    return x;
  }

  @Test
  void tabularNoiseAndDropout() {
    float[] x = seq(50);
    float[] a = x.clone();
    TabularOps.gaussianNoise(a, 0.1, new SplittableRandom(1));
    assertFalse(Arrays.equals(x, a));
    float[] b = x.clone();
    TabularOps.gaussianNoise(b, 0.1, new SplittableRandom(1));
    assertArrayEquals(a, b, "same seed, same noise");
    float[] z = x.clone();
    TabularOps.gaussianNoise(z, 0.0, new SplittableRandom(1));
    assertArrayEquals(x, z, "std 0 is identity");
    float[] d = x.clone();
    TabularOps.featureDropout(d, 0.5, new SplittableRandom(2));
    long zeros = 0;
    for (int i = 0; i < d.length; i++) {
      assertTrue(d[i] == 0f || d[i] == x[i]);
      zeros += d[i] == 0f ? 1 : 0;
    }
    assertTrue(zeros > 10 && zeros < 40, "about half dropped: " + zeros);
    float[] none = x.clone();
    TabularOps.featureDropout(none, 0.0, new SplittableRandom(2));
    assertArrayEquals(x, none);
  }

  @Test
  void smoteInterpolatesBetweenMinorityNeighbours() {
    float[][] x = {{0, 0}, {10, 0}, {0, 10}, {100, 100}, {101, 100}, {50, 50}};
    int[] y = {0, 0, 0, 1, 1, 0};
    List<float[]> s = TabularOps.smote(x, y, 1, 3, 20, new SplittableRandom(3));
    assertEquals(20, s.size());
    for (float[] p : s) {
      assertEquals(100f, p[1], 1e-5, "on the segment between the two minority points");
      assertTrue(p[0] >= 100f && p[0] <= 101f, Arrays.toString(p));
    }
    assertThrows(IllegalArgumentException.class, () -> TabularOps.smote(x, new int[] {0, 0, 0, 0, 0, 1}, 1, 3, 1,
        new SplittableRandom(1)));
  }

  @Test
  void sequenceOpsKeepShapeAndReproduce() {
    int steps = 20;
    int features = 3;
    float[] x = seq(steps * features);
    for (String op : List.of("shift", "crop", "mask", "scale")) {
      float[] a = x.clone();
      float[] b = x.clone();
      apply(op, a, steps, features, new SplittableRandom(5));
      apply(op, b, steps, features, new SplittableRandom(5));
      assertEquals(x.length, a.length);
      assertArrayEquals(a, b, op + " not reproducible");
      assertFalse(Arrays.equals(x, a), op + " changed nothing");
    }
    float[] id = x.clone();
    SequenceOps.windowCrop(id, steps, features, 1.0, new SplittableRandom(1));
    assertArrayEquals(x, id, "a full window is identity");
    SequenceOps.magnitudeScale(id, steps, features, 0.0, new SplittableRandom(1));
    assertArrayEquals(x, id, "sigma 0 is identity");
    float[] masked = x.clone();
    SequenceOps.timeMask(masked, steps, features, 4, new SplittableRandom(9));
    int zeroSteps = 0;
    for (int t = 0; t < steps; t++) {
      boolean all = true;
      for (int f = 0; f < features; f++) {
        all &= masked[t * features + f] == 0f;
      }
      zeroSteps += all ? 1 : 0;
    }
    assertTrue(zeroSteps >= 1 && zeroSteps <= 4, "masked steps " + zeroSteps);
  }

  private static void apply(String op, float[] x, int steps, int features, SplittableRandom rng) {
    switch (op) {
      case "shift" -> SequenceOps.timeShift(x, steps, features, 3, rng);
      case "crop" -> SequenceOps.windowCrop(x, steps, features, 0.6, rng);
      case "mask" -> SequenceOps.timeMask(x, steps, features, 4, rng);
      default -> SequenceOps.magnitudeScale(x, steps, features, 0.2, rng);
    }
  }
}
