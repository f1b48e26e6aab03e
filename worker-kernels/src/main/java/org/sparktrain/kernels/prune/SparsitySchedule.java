package org.sparktrain.kernels.prune;

import java.io.Serializable;

/**
 * Zhu and Gupta's gradual pruning schedule (2017, "To prune, or not to prune"): at step t the
 * sparsity is s_t = s_f + (s_i - s_f)(1 - (t - t0)/(n·Δt))³ for t in {t0, t0 + Δt, ..., t0 + n·Δt},
 * constant between updates, 0 before t0 and s_f after t0 + n·Δt. With {@code begin == end} it is
 * one-shot: s_f from t0 on.
 *
 * @param initial s_i, the sparsity at t0
 * @param target s_f
 * @param begin t0, in minibatch steps
 * @param end t0 + n·Δt, in minibatch steps
 * @param every Δt, steps between two mask updates
 */
public record SparsitySchedule(double initial, double target, long begin, long end, long every)
    implements Serializable {
  public SparsitySchedule {
    if (!(target >= 0 && target < 1) || !(initial >= 0 && initial <= target)) {
      throw new IllegalArgumentException("sparsities must satisfy 0 <= initial <= target < 1, got initial " + initial
          + ", target " + target);
    }
    if (begin < 0 || end < begin || every < 1) {
      throw new IllegalArgumentException("schedule steps must satisfy 0 <= begin <= end and every >= 1, got begin "
          + begin + ", end " + end + ", every " + every);
    }
  }

  /** The sparsity in force once {@code step} minibatch steps are done. */
  public double at(long step) {
    if (step < begin) {
      return 0;
    }
    if (step >= end) {
      return target;
    }
    long t = begin + (step - begin) / every * every;
    double frac = 1 - (double) (t - begin) / (end - begin);
    return target + (initial - target) * frac * frac * frac;
  }
}
