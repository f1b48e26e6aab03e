package org.sparktrain.kernels.train;

import java.util.TreeMap;

/**
 * A replica's bookkeeping for overlapped averaging: the average of round {@code a} reaches the
 * replica only at the start of round {@code a + 2}, after it has trained round {@code a + 1} on its
 * own. The replica then keeps its own progress since round {@code a} and swaps its deviation from
 * the average at that time for nothing:
 *
 * <pre>
 *   x := x - c,   c = (y_a - A_a) - C
 * </pre>
 *
 * where {@code y_a} is what the replica returned for round {@code a}, {@code A_a} the average and
 * {@code C} the corrections it applied after returning {@code y_a}. Without {@code C} the corrections
 * would overshoot: the deviation a replica carries would follow {@code D_r = D_{r-1} - D_{r-2} + drift}
 * and never decay; with it, a replica is never further from the mean than its own last two rounds of
 * drift. Every correction has zero (example-weighted) mean over the replicas, so the mean of the
 * replicas evolves exactly as their mean local updates.
 *
 * <p>A {@code gain} below 1 removes only that share of the outstanding deviation per round
 * ({@code c = gain (z_a - A_a - S)}), like elastic averaging. With Adam on the Fashion-MNIST MLP
 * (k = 10, 2 replicas) the full correction overshoots: both replicas' training loss climbed from 0.62
 * to 1.07 over rounds 6-11 and 1-epoch test accuracy was 0.796 against 0.836 synchronous; gain 0.5
 * gave 0.835 and 0.25 gave 0.838 (plain SGD was stable at gain 1: 0.801 against 0.804). Adam's
 * normalised steps act as a strong pull of each replica towards its own data's optimum, and a
 * two-round-old correction applied in full then lands on top of that pull. This is the one-round-delayed form of
 * local SGD with overlapped communication (CoCoD-SGD, Shen et al. 2019; Overlap Local-SGD, Wang et
 * al. 2020).
 *
 * <p>Stored compactly: {@code z_a = y_a + S_a} per round (at most two) and the running sum
 * {@code S} of applied corrections, so {@code c = z_a - A_a - S}. The same applies, element for
 * element, to the updater state when it is averaged. Not thread-safe: owned by one {@link Replica}.
 */
public final class OverlapCorrection {
  private float[] sumParams;
  private float[] sumUpdater;
  private final TreeMap<Integer, float[][]> snapshots = new TreeMap<>();

  /** Forgets everything: the replica has just been set to an average. */
  public void reset() {
    sumParams = null;
    sumUpdater = null;
    snapshots.clear();
  }

  /** Whether the replica's result for {@code round} is remembered. */
  public boolean has(int round) {
    return snapshots.containsKey(round);
  }

  /**
   * Remembers what the replica returned for {@code round} (the arrays are not kept), forgetting
   * rounds before {@code round - 1}.
   */
  public void remember(int round, float[] params, float[] updater) {
    snapshots.put(round, new float[][] {plus(params, sumParams), updater == null ? null : plus(updater, sumUpdater)});
    snapshots.headMap(round - 1).clear();
  }

  /**
   * Applies the correction for the average of {@code round}, in place.
   *
   * @param params the replica's current parameters, corrected in place
   * @param average the average of {@code round}
   * @param updater the replica's current updater state, or null to correct the parameters only
   * @param averageUpdater the averaged updater state of {@code round}, or null
   * @param gain share of the outstanding deviation removed (1: all of it)
   * @throws IllegalStateException when {@code round} is not remembered
   */
  public void correct(int round, float[] params, float[] average, float[] updater, float[] averageUpdater,
                      float gain) {
    float[][] z = snapshots.get(round);
    if (z == null) {
      throw new IllegalStateException("no snapshot of round " + round + "; have " + snapshots.keySet());
    }
    sumParams = apply(params, z[0], average, sumParams, gain);
    if (updater != null && averageUpdater != null && z[1] != null) {
      sumUpdater = apply(updater, z[1], averageUpdater, sumUpdater, gain);
    }
    // rounds up to this one are settled
    snapshots.headMap(round, true).clear();
  }

  /** x -= c and S += c with c = gain (z - a - S); returns the new S. */
  private static float[] apply(float[] x, float[] z, float[] a, float[] s, float gain) {
    if (x.length != z.length || x.length != a.length) {
      throw new IllegalArgumentException("state of " + x.length + " values, snapshot " + z.length + ", average "
          + a.length);
    }
    float[] out = s == null ? new float[x.length] : s;
    for (int i = 0; i < x.length; i++) {
      float si = s == null ? 0f : s[i];
      float c = gain * (z[i] - a[i] - si);
      x[i] -= c;
      out[i] = si + c;
    }
    return out;
  }

  private static float[] plus(float[] a, float[] b) {
    float[] out = a.clone();
    if (b != null) {
      for (int i = 0; i < out.length; i++) {
        out[i] += b[i];
      }
    }
    return out;
  }
}
