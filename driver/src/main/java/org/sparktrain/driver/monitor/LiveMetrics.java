package org.sparktrain.driver.monitor;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.SlidingTimeWindowArrayReservoir;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The driver's live training figures: written by {@link MonitorListener} from the training thread,
 * read by the gauges {@link MonitorPlugin} registers with Spark's metrics system (any thread). One
 * per driver JVM. Gauges describe the current (or last) run; counters count over the JVM's life,
 * as Prometheus expects of counters.
 */
public final class LiveMetrics {
  private static final LiveMetrics INSTANCE = new LiveMetrics();

  /** The driver JVM's figures. */
  public static LiveMetrics get() {
    return INSTANCE;
  }

  volatile int running;
  volatile int round;
  volatile int roundsTotal;
  volatile int epoch;
  volatile int epochs;
  volatile int partitions;
  volatile double loss = Double.NaN;
  volatile double samplesPerSecond = Double.NaN;
  volatile double syncFraction = Double.NaN;
  volatile int k;
  volatile double replicaSpread = Double.NaN;
  volatile double relativeSpread = Double.NaN;
  volatile long examples;
  volatile long dataRowsRead;
  volatile double testAccuracy = Double.NaN;
  volatile double sparsity = Double.NaN;
  volatile double lastCheckpointSeconds = Double.NaN;
  volatile long lastCheckpointNanos;
  volatile long lastRoundNanos;
  volatile int stragglers;
  volatile long runStartMillis;

  final Counter roundsCompleted = new Counter();
  final Counter rollbacks = new Counter();
  final Counter retriedTasks = new Counter();
  final Counter excludedReplicas = new Counter();
  final Counter checkpoints = new Counter();
  final Counter checkpointFailures = new Counter();
  /** Round wall times in milliseconds over the last 5 minutes. */
  final Histogram roundMillis = new Histogram(new SlidingTimeWindowArrayReservoir(5, TimeUnit.MINUTES));

  final Map<String, ExecutorSample> executors = new ConcurrentHashMap<>();
  /** Driver time spent receiving executor samples (RPC thread). */
  final java.util.concurrent.atomic.AtomicLong receiveNanos = new java.util.concurrent.atomic.AtomicLong();
  final Map<String, Double> slowness = new ConcurrentHashMap<>();
  /** Per executor: peak native, resident and heap bytes, and the peak GC fraction's bits. */
  final Map<String, long[]> peaks = new ConcurrentHashMap<>();

  private LiveMetrics() {}

  /** Seconds since the last checkpoint was written, NaN before the first. */
  public double checkpointAgeSeconds() {
    long at = lastCheckpointNanos;
    return at == 0 ? Double.NaN : (System.nanoTime() - at) / 1e9;
  }

  /** Seconds since the last round ended (NaN before the first): what "training stalled" alerts watch. */
  public double secondsSinceRound() {
    long at = lastRoundNanos;
    return at == 0 ? Double.NaN : (System.nanoTime() - at) / 1e9;
  }

  /** The latest sample of each executor that forwarded one. */
  public Map<String, ExecutorSample> executors() {
    return Map.copyOf(executors);
  }

  void executorSample(ExecutorSample s) {
    executors.put(s.executorId(), s);
    peaks.compute(s.executorId(), (id, p) -> {
      long[] q = p == null ? new long[] {0, 0, 0, Double.doubleToLongBits(0)} : p;
      q[0] = Math.max(q[0], s.nativeBytes());
      q[1] = Math.max(q[1], s.physicalBytes());
      q[2] = Math.max(q[2], s.heapUsedBytes());
      q[3] = Double.doubleToLongBits(Math.max(Double.longBitsToDouble(q[3]), s.gcFraction()));
      return q;
    });
  }

  /** Per executor: peak native, resident and heap bytes and (as double bits) the peak GC fraction. */
  public Map<String, long[]> peaks() {
    Map<String, long[]> out = new java.util.TreeMap<>();
    peaks.forEach((k, v) -> out.put(k, v.clone()));
    return out;
  }
}
