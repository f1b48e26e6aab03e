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
  /** Results added but not yet summed: {@link #fold} sums them when a total is first needed. */
  private transient List<ReplicaUpdate> pending = new ArrayList<>();
  /** Whether {@code params} and {@code updater} hold the average (divided) rather than the sums. */
  private transient boolean averaged;

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
    if (!Double.isFinite(u.lossSum())) {
      excluded.put(u.partition(), "loss is " + u.meanLoss());
      return this;
    }
    if (averaged) {
      throw new IllegalStateException("the sum was already averaged");
    }
    pending.add(u);
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
    fold(false);
    return java.util.Collections.unmodifiableSortedMap(excluded);
  }

  /** Merges another partial sum into this one. */
  public ParameterSum merge(ParameterSum o) {
    fold(false);
    o.fold(false);
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

  /**
   * Sums the pending results into {@code params} and {@code updater}, and with {@code average}
   * also divides by the example count, in as few passes as the arithmetic allows (the driver runs
   * this every round): the first two terms are combined into a new array, the middle ones added,
   * and the last pass adds the last term, divides and checks that the result is finite (a single
   * term is scaled in place). The values are bitwise
   * those of adding each result in turn ({@code acc += w * x} in float) and dividing afterwards
   * ({@code (float) (acc * (1.0 / examples))}). Only when the result is not finite is every
   * pending result screened on its own; those with a NaN or infinite value are left out with the
   * reason, and the rest summed again.
   */
  private void fold(boolean average) {
    if (pending.isEmpty()) {
      if (average && !averaged) {
        divide(params);
        divide(updater);
        averaged = true;
      }
      return;
    }
    List<ReplicaUpdate> terms = pending;
    pending = new ArrayList<>();
    long total = examples;
    for (ReplicaUpdate u : terms) {
      total += u.examples();
    }
    double inv = average ? 1.0 / total : Double.NaN;
    float[] p = combine(params, terms, false, inv);
    float[] u = p == null ? null : combine(updater, terms, true, inv);
    if (p == null || (u == null && terms.get(0).updaterState() != null)) {
      // a result is not finite: find it, leave it out, and sum the others
      List<ReplicaUpdate> finite = new ArrayList<>();
      for (ReplicaUpdate t : terms) {
        String bad = nonFinite(t);
        if (bad != null) {
          excluded.put(t.partition(), bad);
        } else {
          finite.add(t);
        }
      }
      if (finite.size() == terms.size()) {
        // every result is finite and only their sum overflowed: keep it as adding them in turn would
        finite = terms;
      }
      pending = finite;
      fold(average);
      return;
    }
    params = p;
    updater = u;
    for (ReplicaUpdate t : terms) {
      examples += t.examples();
      lossSum += t.lossSum();
      weightedDeltaSq += t.examples() * t.deltaSquaredNorm();
    }
    averaged = average;
  }

  /**
   * {@code base + sum(w_i * x_i)} over the terms' parameters ({@code updater}: their updater
   * states), multiplied by {@code inv} unless it is NaN; {@code base} when the terms hold no
   * updater state; null when the result is not finite. Leaves the terms' arrays as they were
   * (except a single term's, whose result replaces it: a non-finite single term is left out
   * whole), so {@link #fold} can screen and sum them again.
   */
  private static float[] combine(float[] base, List<ReplicaUpdate> terms, boolean updater, double inv) {
    int m = terms.size();
    float[] first = values(terms.get(0), updater);
    if (first == null) {
      return base;
    }
    int n = first.length;
    for (ReplicaUpdate t : terms) {
      float[] x = values(t, updater);
      if (x == null || x.length != n || (base != null && base.length != n)) {
        throw new IllegalStateException("replica of partition " + t.partition() + " returned "
            + (x == null ? "no" : x.length) + (updater ? " updater state values" : " values") + ", expected "
            + (base != null ? base.length : n));
      }
    }
    float[] acc;
    int next = 0;
    if (base != null) {
      acc = base.clone();
    } else {
      float w0 = (float) terms.get(0).examples();
      if (m == 1) {
        return finishSingle(first, w0, inv) ? first : null;
      }
      // the first two terms in one pass (two replicas, the common case, need no other)
      float[] second = values(terms.get(1), updater);
      float w1 = (float) terms.get(1).examples();
      acc = new float[n];
      // (branches stay outside the loops: the C1 compiler the launcher runs with does not hoist them)
      if (m == 2) {
        float z = 0f;
        if (Double.isNaN(inv)) {
          for (int i = 0; i < n; i++) {
            float v = w0 * first[i] + w1 * second[i];
            z += v * 0f;
            acc[i] = v;
          }
        } else {
          for (int i = 0; i < n; i++) {
            float v = w0 * first[i] + w1 * second[i];
            z += v * 0f;
            acc[i] = (float) (v * inv);
          }
        }
        return z == 0f ? acc : null;
      }
      for (int i = 0; i < n; i++) {
        acc[i] = w0 * first[i] + w1 * second[i];
      }
      next = 2;
    }
    for (int t = next; t < m - 1; t++) {
      float[] x = values(terms.get(t), updater);
      float w = (float) terms.get(t).examples();
      for (int i = 0; i < n; i++) {
        acc[i] += w * x[i];
      }
    }
    float[] last = values(terms.get(m - 1), updater);
    float w = (float) terms.get(m - 1).examples();
    float z = 0f;
    if (Double.isNaN(inv)) {
      for (int i = 0; i < n; i++) {
        float v = acc[i] + w * last[i];
        acc[i] = v;
        z += v * 0f;
      }
    } else {
      for (int i = 0; i < n; i++) {
        float v = acc[i] + w * last[i];
        z += v * 0f;
        acc[i] = (float) (v * inv);
      }
    }
    return z == 0f ? acc : null;
  }

  /** The only term: {@code x = w * x}, divided unless {@code inv} is NaN; whether all finite. */
  private static boolean finishSingle(float[] x, float w, double inv) {
    float z = 0f;
    if (Double.isNaN(inv)) {
      for (int i = 0; i < x.length; i++) {
        float v = x[i] * w;
        z += v * 0f;
        x[i] = v;
      }
    } else {
      for (int i = 0; i < x.length; i++) {
        float v = x[i] * w;
        z += v * 0f;
        x[i] = (float) (v * inv);
      }
    }
    return z == 0f;
  }

  private static float[] values(ReplicaUpdate u, boolean updater) {
    return updater ? u.updaterState() : u.params();
  }

  /** Divides the sums by the total example count, in place, and returns the averaged parameters. */
  public float[] averageParams() {
    fold(true);
    return params;
  }

  /** The averaged updater state, or null when no replica returned one. */
  public float[] averageUpdater() {
    fold(true);
    return updater;
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
    return distances(start, average)[0];
  }

  /**
   * {@link #replicaSpread} and the norm of {@code average}, in one pass over the parameters.
   *
   * @return {spread, norm of average}
   */
  public double[] distances(float[] start, float[] average) {
    fold(false);
    if (examples == 0 || start == null || average == null) {
      return new double[] {0, 0};
    }
    double avgDeltaSq = 0;
    double normSq = 0;
    for (int i = 0; i < start.length; i++) {
      double a = average[i];
      double d = a - start[i];
      avgDeltaSq += d * d;
      normSq += a * a;
    }
    return new double[] {Math.sqrt(Math.max(0, weightedDeltaSq / examples - avgDeltaSq)), Math.sqrt(normSq)};
  }

  /**
   * Sums and averages the results now (in fewer passes than summing first and dividing later);
   * {@link #averageParams()} and {@link #averageUpdater()} then return the averages.
   */
  ParameterSum average() {
    fold(true);
    return this;
  }

  public long examples() {
    fold(false);
    return examples;
  }

  /** Mean loss over all examples of the round. */
  public double meanLoss() {
    fold(false);
    return examples == 0 ? Double.NaN : lossSum / examples;
  }

  /** Per-replica stats by partition, excluded ones marked with the reason. */
  public List<WorkerStats> workers() {
    fold(false);
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
    if (averaged) {
      throw new IllegalStateException("an averaged sum cannot be merged any more");
    }
    fold(false);
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
    pending = new ArrayList<>();
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
