package org.sparktrain.kernels.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Augmentations for tabular examples ({@code float[features]}), in place where they change one
 * example, and SMOTE-style synthesis of minority-class examples.
 */
public final class TabularOps {
  private TabularOps() {}

  /** Adds N(0, std) noise to every feature. */
  public static void gaussianNoise(float[] x, double std, SplittableRandom rng) {
    for (int i = 0; i < x.length; i++) {
      x[i] += (float) (ImageOps.gaussian(rng) * std);
    }
  }

  /** Sets each feature to 0 with probability {@code rate}. */
  public static void featureDropout(float[] x, double rate, SplittableRandom rng) {
    for (int i = 0; i < x.length; i++) {
      if (rng.nextDouble() < rate) {
        x[i] = 0f;
      }
    }
  }

  /**
   * SMOTE: {@code count} synthetic examples of class {@code minority}, each on the segment between
   * a random minority example and one of its {@code k} nearest minority neighbours (Euclidean).
   *
   * @param x examples (rows), not modified
   * @param labels class of each row
   * @return the synthetic rows (their label is {@code minority})
   */
  public static List<float[]> smote(float[][] x, int[] labels, int minority, int k, int count, SplittableRandom rng) {
    List<float[]> pool = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      if (labels[i] == minority) {
        pool.add(x[i]);
      }
    }
    if (pool.size() < 2) {
      throw new IllegalArgumentException("SMOTE needs at least 2 examples of class " + minority + ", found "
          + pool.size());
    }
    int kk = Math.min(k, pool.size() - 1);
    List<float[]> out = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      int i = rng.nextInt(pool.size());
      float[] a = pool.get(i);
      int[] nearest = nearest(pool, i, kk);
      float[] b = pool.get(nearest[rng.nextInt(kk)]);
      float u = (float) rng.nextDouble();
      float[] s = new float[a.length];
      for (int j = 0; j < a.length; j++) {
        s[j] = a[j] + u * (b[j] - a[j]);
      }
      out.add(s);
    }
    return out;
  }

  private static int[] nearest(List<float[]> pool, int i, int k) {
    float[] a = pool.get(i);
    double[] best = new double[k];
    int[] idx = new int[k];
    java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
    for (int j = 0; j < pool.size(); j++) {
      if (j == i) {
        continue;
      }
      double d = 0;
      float[] b = pool.get(j);
      for (int f = 0; f < a.length; f++) {
        double t = a[f] - b[f];
        d += t * t;
      }
      for (int s = 0; s < k; s++) {
        if (d < best[s]) {
          System.arraycopy(best, s, best, s + 1, k - s - 1);
          System.arraycopy(idx, s, idx, s + 1, k - s - 1);
          best[s] = d;
          idx[s] = j;
          break;
        }
      }
    }
    return idx;
  }
}
