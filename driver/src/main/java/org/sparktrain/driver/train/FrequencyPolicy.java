package org.sparktrain.driver.train;

/**
 * How k (minibatches per replica between averages) is chosen: fixed, or adaptive within bounds.
 *
 * @param auto adapt k from measured timings and replica spread
 * @param k the fixed k, or the initial k when adaptive
 * @param minK smallest k the adaptive policy may pick
 * @param maxK largest k the adaptive policy may pick
 * @param targetSyncFraction adaptive: keep sync time under this share of round time
 * @param maxRelativeSpread adaptive: bound on replica spread / parameter norm
 */
public record FrequencyPolicy(boolean auto, int k, int minK, int maxK, double targetSyncFraction,
                              double maxRelativeSpread) {
  /** A fixed k. */
  public static FrequencyPolicy fixed(int k) {
    return new FrequencyPolicy(false, k, k, k, 0.1, Double.POSITIVE_INFINITY);
  }

  /** A fresh controller for one run. */
  public FrequencyController controller() {
    return auto ? FrequencyController.auto(k, minK, maxK, targetSyncFraction, maxRelativeSpread)
        : FrequencyController.fixed(k);
  }
}
