package org.sparktrain.driver.train;

import java.util.Locale;

/**
 * Chooses k, the minibatches each replica trains between two averages. Fixed, or adaptive
 * ({@code averaging.frequency: auto}): from the measured compute time per step and sync time per
 * round it picks the smallest k whose sync share stays under a target fraction, and halves its
 * ceiling whenever the replicas' spread around the average (relative to the parameter norm)
 * exceeds a bound, letting the ceiling grow back slowly while the spread stays low.
 */
public final class FrequencyController {
  private static final double EMA = 0.3;

  private final boolean auto;
  private final int minK;
  private final int maxK;
  private final double targetSyncFraction;
  private final double maxRelativeSpread;
  private int k;
  private double ceiling;
  private double stepSeconds = Double.NaN;
  private double syncSeconds = Double.NaN;
  private int observed;
  private int spreadCuts;

  private FrequencyController(boolean auto, int initialK, int minK, int maxK, double targetSyncFraction,
                              double maxRelativeSpread) {
    this.auto = auto;
    this.k = initialK;
    this.minK = minK;
    this.maxK = maxK;
    this.ceiling = maxK;
    this.targetSyncFraction = targetSyncFraction;
    this.maxRelativeSpread = maxRelativeSpread;
  }

  /** Always {@code k}. */
  public static FrequencyController fixed(int k) {
    return new FrequencyController(false, k, k, k, 1, Double.POSITIVE_INFINITY);
  }

  /**
   * Adaptive k.
   *
   * @param initialK k for the first rounds, before anything is measured
   * @param targetSyncFraction wanted upper bound of sync time / round time, in (0, 1)
   * @param maxRelativeSpread bound on RMS replica distance from the average / parameter norm
   */
  public static FrequencyController auto(int initialK, int minK, int maxK, double targetSyncFraction,
                                         double maxRelativeSpread) {
    if (!(targetSyncFraction > 0 && targetSyncFraction < 1) || minK < 1 || maxK < minK) {
      throw new IllegalArgumentException("bad auto-frequency bounds: target " + targetSyncFraction + ", k in ["
          + minK + ", " + maxK + "]");
    }
    return new FrequencyController(true, Math.max(minK, Math.min(maxK, initialK)), minK, maxK, targetSyncFraction,
        maxRelativeSpread);
  }

  public boolean isAuto() {
    return auto;
  }

  /** k for the next round. */
  public int next() {
    return k;
  }

  /**
   * Feeds one round's measurements.
   *
   * @param roundK the k that round used
   * @param busySeconds the slowest replica's compute + data time
   * @param syncSeconds round wall time minus {@code busySeconds}
   * @param batches the slowest replica's minibatches
   * @param relativeSpread replica spread / parameter norm
   */
  public void observe(int roundK, double busySeconds, double syncSeconds, int batches, double relativeSpread) {
    if (!auto || batches <= 0) {
      return;
    }
    observed++;
    if (observed == 1) {
      return; // the first round carries JIT warm-up and replica builds
    }
    double step = busySeconds / batches;
    stepSeconds = Double.isNaN(stepSeconds) ? step : (1 - EMA) * stepSeconds + EMA * step;
    this.syncSeconds = Double.isNaN(this.syncSeconds) ? syncSeconds : (1 - EMA) * this.syncSeconds + EMA * syncSeconds;
    if (relativeSpread > maxRelativeSpread) {
      ceiling = Math.max(minK, roundK / 2.0);
      spreadCuts++;
    } else if (relativeSpread < maxRelativeSpread / 2) {
      ceiling = Math.min(maxK, ceiling * 1.25);
    }
    double f = targetSyncFraction;
    double wanted = stepSeconds > 0 ? this.syncSeconds * (1 - f) / (f * stepSeconds) : maxK;
    k = (int) Math.max(minK, Math.min(Math.floor(ceiling), Math.ceil(wanted - 1e-9)));
  }

  /** One line on what the controller currently believes. */
  public String describe() {
    if (!auto) {
      return "k=" + k + " (fixed)";
    }
    return String.format(Locale.ROOT, "k=%d (auto: step %.2f ms, sync %.1f ms/round, target sync %.0f%%, "
        + "ceiling %.0f, %d spread cuts)", k, stepSeconds * 1e3, syncSeconds * 1e3, targetSyncFraction * 100,
        ceiling, spreadCuts);
  }

  /** Measured seconds per minibatch (NaN before the second round). */
  public double stepSeconds() {
    return stepSeconds;
  }

  /** Measured sync seconds per round (NaN before the second round). */
  public double syncSeconds() {
    return syncSeconds;
  }

  public int spreadCuts() {
    return spreadCuts;
  }

  /**
   * The controller's state, for checkpoints.
   *
   * @param stepSeconds NaN before the second round
   * @param syncSeconds NaN before the second round
   */
  public record Snapshot(int k, double ceiling, double stepSeconds, double syncSeconds, int observed,
                         int spreadCuts) {}

  /** Its current state. */
  public Snapshot snapshot() {
    return new Snapshot(k, ceiling, stepSeconds, syncSeconds, observed, spreadCuts);
  }

  /** Continues from a saved state (of a controller with the same policy). */
  public void restore(Snapshot s) {
    if (!auto && s.k() != k) {
      throw new IllegalArgumentException("checkpoint was written at k=" + s.k() + ", this run is fixed at k=" + k);
    }
    k = s.k();
    ceiling = s.ceiling();
    stepSeconds = s.stepSeconds();
    syncSeconds = s.syncSeconds();
    observed = s.observed();
    spreadCuts = s.spreadCuts();
  }
}
