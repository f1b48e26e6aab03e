package org.sparktrain.kernels.augment;

import java.util.SplittableRandom;

/**
 * Augmentations for sequences stored as {@code float[steps * features]} (time-major), in place:
 * time shift, window crop, time masking, magnitude scaling.
 */
public final class SequenceOps {
  private SequenceOps() {}

  /** Shifts by a random number of steps in [-max, max], zero-filling the vacated steps. */
  public static void timeShift(float[] x, int steps, int features, int max, SplittableRandom rng) {
    int s = rng.nextInt(-max, max + 1);
    float[] src = x.clone();
    for (int t = 0; t < steps; t++) {
      int from = t - s;
      for (int f = 0; f < features; f++) {
        x[t * features + f] = from < 0 || from >= steps ? 0f : src[from * features + f];
      }
    }
  }

  /**
   * Crops a random window of {@code fraction * steps} steps and stretches it back to {@code steps}
   * by linear interpolation.
   */
  public static void windowCrop(float[] x, int steps, int features, double fraction, SplittableRandom rng) {
    int len = Math.max(2, (int) Math.round(fraction * steps));
    if (len >= steps) {
      return;
    }
    int start = rng.nextInt(steps - len + 1);
    float[] src = x.clone();
    for (int t = 0; t < steps; t++) {
      double pos = start + (double) t * (len - 1) / (steps - 1);
      int a = (int) Math.floor(pos);
      int b = Math.min(start + len - 1, a + 1);
      double w = pos - a;
      for (int f = 0; f < features; f++) {
        x[t * features + f] = (float) ((1 - w) * src[a * features + f] + w * src[b * features + f]);
      }
    }
  }

  /** Zeroes a random span of up to {@code maxSteps} consecutive steps. */
  public static void timeMask(float[] x, int steps, int features, int maxSteps, SplittableRandom rng) {
    int len = rng.nextInt(1, Math.max(1, maxSteps) + 1);
    int start = rng.nextInt(Math.max(1, steps - len + 1));
    for (int t = start; t < Math.min(steps, start + len); t++) {
      for (int f = 0; f < features; f++) {
        x[t * features + f] = 0f;
      }
    }
  }

  /** Multiplies each feature channel by its own factor drawn from N(1, sigma). */
  public static void magnitudeScale(float[] x, int steps, int features, double sigma, SplittableRandom rng) {
    float[] k = new float[features];
    for (int f = 0; f < features; f++) {
      k[f] = (float) (1 + ImageOps.gaussian(rng) * sigma);
    }
    for (int t = 0; t < steps; t++) {
      for (int f = 0; f < features; f++) {
        x[t * features + f] *= k[f];
      }
    }
  }
}
