package org.sparktrain.driver.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sparktrain.kernels.train.ReplicaUpdate;

/**
 * Running example-weighted sum of replica parameters (and updater states), combined in place on
 * float arrays by {@code treeAggregate}. A replica that trained no examples adds nothing but its
 * stats, so empty or exhausted partitions neither hang nor skew the average.
 */
public final class ParameterSum implements Serializable {
  private static final long serialVersionUID = 1L;

  private float[] params;
  private float[] updater;
  private long examples;
  private double lossSum;
  private final List<WorkerStats> workers = new ArrayList<>();

  /** Adds one replica's result; takes ownership of its arrays (scales them in place). */
  public ParameterSum add(ReplicaUpdate u) {
    workers.add(new WorkerStats(u.partition(), u.worker(), u.examples(), u.batches(),
        u.examples() > 0 ? u.lossSum() / u.examples() : Double.NaN, u.computeSeconds(), u.dataSeconds()));
    if (u.examples() == 0) {
      return this;
    }
    float w = (float) u.examples();
    params = accumulate(params, u.params(), w);
    if (u.updaterState() != null) {
      updater = accumulate(updater, u.updaterState(), w);
    }
    examples += u.examples();
    lossSum += u.lossSum();
    return this;
  }

  /** Merges another partial sum into this one. */
  public ParameterSum merge(ParameterSum o) {
    workers.addAll(o.workers);
    if (o.examples == 0) {
      return this;
    }
    params = accumulate(params, o.params, 1f);
    if (o.updater != null) {
      updater = accumulate(updater, o.updater, 1f);
    }
    examples += o.examples;
    lossSum += o.lossSum;
    return this;
  }

  private static float[] accumulate(float[] acc, float[] x, float w) {
    if (acc == null) {
      if (w != 1f) {
        for (int i = 0; i < x.length; i++) {
          x[i] *= w;
        }
      }
      return x;
    }
    if (acc.length != x.length) {
      throw new IllegalStateException("replica returned " + x.length + " values, expected " + acc.length);
    }
    for (int i = 0; i < x.length; i++) {
      acc[i] += w * x[i];
    }
    return acc;
  }

  /** Divides the sums by the total example count, in place, and returns the averaged parameters. */
  public float[] averageParams() {
    return divide(params);
  }

  /** The averaged updater state, or null when no replica returned one. */
  public float[] averageUpdater() {
    return divide(updater);
  }

  private float[] divide(float[] a) {
    if (a == null || examples == 0) {
      return a;
    }
    double n = examples;
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (a[i] / n);
    }
    return a;
  }

  public long examples() {
    return examples;
  }

  /** Mean loss over all examples of the round. */
  public double meanLoss() {
    return examples == 0 ? Double.NaN : lossSum / examples;
  }

  public List<WorkerStats> workers() {
    List<WorkerStats> sorted = new ArrayList<>(workers);
    sorted.sort(java.util.Comparator.comparingInt(WorkerStats::partition));
    return sorted;
  }
}
