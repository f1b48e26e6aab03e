package org.sparktrain.driver.train;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.ReplicaUpdate;

/**
 * Running example-weighted sum of replica parameters (and updater states), combined in place on
 * float arrays by {@code treeAggregate}. A replica that trained no examples adds nothing but its
 * stats, so empty or exhausted partitions neither hang nor skew the average. Also sums the
 * weighted squared update norms, from which the driver derives the replicas' spread around the
 * average.
 */
public final class ParameterSum implements Externalizable {
  private static final long serialVersionUID = 2L;

  private float[] params;
  private float[] updater;
  private long examples;
  private double lossSum;
  private double weightedDeltaSq;
  private List<WorkerStats> workers = new ArrayList<>();
  private java.util.TreeMap<Integer, String> excluded = new java.util.TreeMap<>();

  /** An empty sum (also the public no-arg constructor serialization needs). */
  public ParameterSum() {}

  /**
   * Adds one replica's result; takes ownership of its arrays (scales them in place). A replica
   * whose loss, parameters or updater state hold NaN or infinity is recorded as excluded and
   * contributes only its stats.
   */
  public ParameterSum add(ReplicaUpdate u) {
    addStats(u);
    if (u.examples() == 0) {
      return this;
    }
    String bad = nonFinite(u);
    if (bad != null) {
      excluded.put(u.partition(), bad);
      return this;
    }
    float w = (float) u.examples();
    params = accumulate(params, u.params(), w);
    if (u.updaterState() != null) {
      updater = accumulate(updater, u.updaterState(), w);
    }
    examples += u.examples();
    lossSum += u.lossSum();
    weightedDeltaSq += u.examples() * u.deltaSquaredNorm();
    return this;
  }

  /** Records {@code u}'s stats but leaves it out of the average, for {@code reason}. */
  public ParameterSum exclude(ReplicaUpdate u, String reason) {
    addStats(u);
    excluded.put(u.partition(), reason);
    return this;
  }

  private void addStats(ReplicaUpdate u) {
    workers.add(new WorkerStats(u.partition(), u.worker(), u.device(), u.examples(), u.batches(),
        u.meanLoss(), u.computeSeconds(), u.dataSeconds(),
        u.loadSeconds(), 0, u.attempt(), null, u.start()));
  }

  /** Why {@code u} cannot be averaged (non-finite loss, parameters or updater state), or null. */
  static String nonFinite(ReplicaUpdate u) {
    if (!Double.isFinite(u.lossSum())) {
      return "loss is " + u.meanLoss();
    }
    int i = firstNonFinite(u.params());
    if (i >= 0) {
      return "parameter " + i + " is " + u.params()[i];
    }
    i = firstNonFinite(u.updaterState());
    if (i >= 0) {
      return "updater state value " + i + " is " + u.updaterState()[i];
    }
    return null;
  }

  private static int firstNonFinite(float[] a) {
    if (a == null || allFinite(a)) {
      return -1;
    }
    for (int i = 0; i < a.length; i++) {
      if (!Float.isFinite(a[i])) {
        return i;
      }
    }
    return -1;
  }

  /**
   * True when no value is NaN or infinite: {@code v * 0} is 0 for finite v and NaN otherwise, and
   * the branch-free sum vectorises, so this costs a fraction of a per-element test.
   */
  static boolean allFinite(float[] a) {
    float z = 0f;
    for (float v : a) {
      z += v * 0f;
    }
    return z == 0f;
  }

  /** Partitions left out of the average, with the reason, by partition. */
  public java.util.SortedMap<Integer, String> excluded() {
    return java.util.Collections.unmodifiableSortedMap(excluded);
  }

  /** Merges another partial sum into this one. */
  public ParameterSum merge(ParameterSum o) {
    workers.addAll(o.workers);
    excluded.putAll(o.excluded);
    if (o.examples == 0) {
      return this;
    }
    params = accumulate(params, o.params, 1f);
    if (o.updater != null) {
      updater = accumulate(updater, o.updater, 1f);
    }
    examples += o.examples;
    lossSum += o.lossSum;
    weightedDeltaSq += o.weightedDeltaSq;
    return this;
  }

  /**
   * {@code seqOp} for {@code treeAggregate}: a named class, so Spark's closure cleaner skips the
   * byte-code analysis it runs on lambdas every round.
   */
  public static final class Add implements org.apache.spark.api.java.function.Function2<ParameterSum, ReplicaUpdate,
      ParameterSum> {
    private static final long serialVersionUID = 2L;
    private final double maxLoss;
    private final String why;

    /** Adds every finite result. */
    public Add() {
      this(Double.POSITIVE_INFINITY, "");
    }

    /**
     * Leaves out (besides non-finite results) a replica whose mean loss exceeds {@code maxLoss}.
     *
     * @param why how the ceiling was derived, for the exclusion reason
     */
    public Add(double maxLoss, String why) {
      this.maxLoss = maxLoss;
      this.why = why;
    }

    @Override
    public ParameterSum call(ParameterSum sum, ReplicaUpdate u) {
      if (Double.isFinite(u.meanLoss()) && u.meanLoss() > maxLoss) {
        return sum.exclude(u, String.format(java.util.Locale.ROOT, "loss %.4g is over %s", u.meanLoss(), why));
      }
      return sum.add(u);
    }
  }

  /** {@code combOp} for {@code treeAggregate}. */
  public static final class Merge implements org.apache.spark.api.java.function.Function2<ParameterSum, ParameterSum,
      ParameterSum> {
    private static final long serialVersionUID = 1L;

    @Override
    public ParameterSum call(ParameterSum a, ParameterSum b) {
      return a.merge(b);
    }
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
    double inv = 1.0 / examples;
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (a[i] * inv);
    }
    return a;
  }

  /**
   * Root-mean-square distance of the replicas from their weighted average (in parameter units),
   * from {@code E||p_i - start||^2 - ||avg - start||^2}. Call after {@link #averageParams()}.
   *
   * @param start the parameters the round started from
   * @param average the averaged parameters
   */
  public double replicaSpread(float[] start, float[] average) {
    if (examples == 0 || start == null || average == null) {
      return 0;
    }
    double avgDeltaSq = 0;
    for (int i = 0; i < start.length; i++) {
      double d = (double) average[i] - start[i];
      avgDeltaSq += d * d;
    }
    return Math.sqrt(Math.max(0, weightedDeltaSq / examples - avgDeltaSq));
  }

  public long examples() {
    return examples;
  }

  /** Mean loss over all examples of the round. */
  public double meanLoss() {
    return examples == 0 ? Double.NaN : lossSum / examples;
  }

  /** Per-replica stats by partition, excluded ones marked with the reason. */
  public List<WorkerStats> workers() {
    List<WorkerStats> sorted = new ArrayList<>();
    for (WorkerStats w : workers) {
      String why = excluded.get(w.partition());
      sorted.add(why == null ? w : w.excludedFor(why));
    }
    sorted.sort(Comparator.comparingInt(WorkerStats::partition));
    return sorted;
  }

  @Override
  public void writeExternal(ObjectOutput out) throws IOException {
    writeBytes(out, FloatArrays.toBytes(params));
    writeBytes(out, FloatArrays.toBytes(updater));
    out.writeLong(examples);
    out.writeDouble(lossSum);
    out.writeDouble(weightedDeltaSq);
    out.writeObject(new ArrayList<>(workers));
    out.writeObject(excluded);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
    params = FloatArrays.fromBytes(readBytes(in));
    updater = FloatArrays.fromBytes(readBytes(in));
    examples = in.readLong();
    lossSum = in.readDouble();
    weightedDeltaSq = in.readDouble();
    workers = (List<WorkerStats>) in.readObject();
    excluded = (java.util.TreeMap<Integer, String>) in.readObject();
  }

  private static void writeBytes(ObjectOutput out, byte[] b) throws IOException {
    out.writeInt(b == null ? -1 : b.length);
    if (b != null) {
      out.write(b);
    }
  }

  private static byte[] readBytes(ObjectInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
