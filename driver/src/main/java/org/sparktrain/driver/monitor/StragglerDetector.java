package org.sparktrain.driver.monitor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flags the replicas and executors that hold a synchronous run back: one whose median work time
 * is more than {@code factor} times the median of the others' medians (leave-one-out, so two
 * workers are compared with each other) after at least {@value #MIN_SAMPLES} samples. Replicas are
 * measured by their compute + data seconds per round (a streamed run has one long task per
 * partition, so its task times say nothing until the end); executors by those rounds and, as a
 * {@link SparkListener}, by the run time of every task they finish (data loading, evaluation, one
 * task per round with {@code averaging.transport: jobs}), with the share of it spent in garbage
 * collection. A worker is reported (warning in the log, {@code stragglers} gauge, metrics.json
 * {@code health}) the first time it is flagged.
 */
public final class StragglerDetector extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(StragglerDetector.class);
  /** Samples a worker needs before it can be flagged. */
  static final int MIN_SAMPLES = 3;
  /** Samples kept per worker (the newest). */
  private static final int WINDOW = 200;

  private final double factor;
  private final Map<Integer, Worker> replicas = new ConcurrentHashMap<>();
  private final Map<String, Worker> executors = new ConcurrentHashMap<>();
  private final Map<String, String> flagged = new ConcurrentHashMap<>();

  /** @param factor how many times slower than the others' median counts as straggling; 0 turns flagging off */
  public StragglerDetector(double factor) {
    this.factor = factor;
  }

  /** One replica round: {@code seconds} of compute and data work on {@code executor}. */
  public void replicaRound(int partition, String executor, double seconds) {
    replicas.computeIfAbsent(partition, p -> new Worker("replica " + p)).add(seconds, 0, executor);
    executors.computeIfAbsent(executor, e -> new Worker("executor " + e)).addRound(seconds);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    TaskMetrics m = end.taskMetrics();
    if (m == null || end.taskInfo() == null) {
      return;
    }
    String id = end.taskInfo().executorId();
    executors.computeIfAbsent(id, e -> new Worker("executor " + e)).add(m.executorRunTime() / 1000.0,
        m.jvmGCTime() / 1000.0, end.taskInfo().host());
  }

  /**
   * Assesses every worker now: logs the newly flagged, updates the {@code stragglers} and
   * per-executor {@code slowness} gauges of {@code live}, and returns the report.
   */
  public Report assess(LiveMetrics live) {
    List<Assessment> reps = assess(replicas.values().stream().map(Worker::snapshot).toList(), Snapshot::taskMedian);
    List<Assessment> exes = assess(executors.values().stream().map(Worker::snapshot).toList(),
        s -> s.rounds > 0 ? s.roundMedian : s.taskMedian);
    int count = 0;
    for (Assessment a : concat(reps, exes)) {
      if (a.straggler()) {
        count++;
        if (flagged.putIfAbsent(a.name(), a.name()) == null) {
          LOG.warn("straggler: {} takes {}x the others' median ({} s against {} s over {} samples){}", a.name(),
              String.format(Locale.ROOT, "%.2f", a.slowness()), fmt(a.medianSeconds()), fmt(a.othersMedianSeconds()),
              a.samples(), a.where().isEmpty() ? "" : " on " + a.where());
        }
      }
    }
    if (live != null) {
      live.stragglers = count;
      for (Assessment a : exes) {
        live.slowness.put(a.name().substring("executor ".length()), a.slowness());
      }
    }
    return new Report(factor, reps, exes);
  }

  private static List<Assessment> concat(List<Assessment> a, List<Assessment> b) {
    List<Assessment> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private List<Assessment> assess(List<Snapshot> workers, java.util.function.ToDoubleFunction<Snapshot> median) {
    List<Assessment> out = new ArrayList<>();
    for (Snapshot w : workers) {
      double mine = median.applyAsDouble(w);
      double[] others = workers.stream().filter(o -> o != w && o.samples() > 0).mapToDouble(median)
          .filter(Double::isFinite).toArray();
      double theirs = others.length == 0 ? Double.NaN : median(others);
      double slowness = theirs > 0 ? mine / theirs : Double.NaN;
      boolean straggler = factor > 0 && w.samples() >= MIN_SAMPLES && slowness > factor;
      out.add(new Assessment(w.name, w.where, w.samples(), mine, theirs, slowness, straggler, w.gcFraction()));
    }
    out.sort(java.util.Comparator.comparing(Assessment::name));
    return out;
  }

  static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** A worker's samples: task seconds (with GC seconds) and, for executors, replica-round seconds. */
  private static final class Worker {
    private final String name;
    private final ArrayList<Double> seconds = new ArrayList<>();
    private final ArrayList<Double> rounds = new ArrayList<>();
    private double runSeconds;
    private double gcSeconds;
    private String where = "";

    Worker(String name) {
      this.name = name;
    }

    synchronized void add(double s, double gc, String at) {
      keep(seconds, s);
      runSeconds += s;
      gcSeconds += gc;
      if (at != null) {
        where = at;
      }
    }

    synchronized void addRound(double s) {
      keep(rounds, s);
    }

    private static void keep(ArrayList<Double> list, double v) {
      list.add(v);
      if (list.size() > WINDOW) {
        list.remove(0);
      }
    }

    synchronized Snapshot snapshot() {
      return new Snapshot(name, where, seconds.size(), median(unbox(seconds)), rounds.size(), median(unbox(rounds)),
          runSeconds, gcSeconds);
    }

    private static double[] unbox(List<Double> l) {
      return l.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }

  private record Snapshot(String name, String where, int tasks, double taskMedian, int rounds, double roundMedian,
                          double runSeconds, double gcSeconds) {
    int samples() {
      return rounds > 0 ? rounds : tasks;
    }

    double gcFraction() {
      return runSeconds > 0 ? gcSeconds / runSeconds : Double.NaN;
    }
  }

  /**
   * One worker's verdict.
   *
   * @param name {@code replica N} or {@code executor ID}
   * @param where the executor a replica last ran on, or an executor's host
   * @param samples rounds (or tasks) measured
   * @param medianSeconds its median work time
   * @param othersMedianSeconds the median of the other workers' medians
   * @param slowness {@code medianSeconds / othersMedianSeconds}
   * @param straggler whether it is flagged
   * @param gcFraction share of its task time spent in garbage collection (executors; NaN without tasks)
   */
  public record Assessment(String name, String where, int samples, double medianSeconds, double othersMedianSeconds,
                           double slowness, boolean straggler, double gcFraction) {}

  /** The detector's findings, for metrics.json. */
  public record Report(double factor, List<Assessment> replicas, List<Assessment> executors) {
    /** The flagged workers' names. */
    public List<String> stragglers() {
      List<String> s = new ArrayList<>();
      concat(replicas, executors).stream().filter(Assessment::straggler).forEach(a -> s.add(a.name()));
      return s;
    }

    /** The metrics.json {@code health} section (with the executors' memory and GC pressure from {@code samples}). */
    public Map<String, Object> toMap(Map<String, ExecutorSample> samples, Map<String, long[]> peaks) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("straggler_factor", factor);
      m.put("stragglers", stragglers());
      m.put("replicas", replicas.stream().map(a -> row(a, null, null)).toList());
      Map<String, Object> ex = new TreeMap<>();
      for (Assessment a : executors) {
        String id = a.name().substring("executor ".length());
        ex.put(id, row(a, samples.get(id), peaks.get(id)));
      }
      m.put("executors", ex);
      return m;
    }

    private static Map<String, Object> row(Assessment a, ExecutorSample s, long[] peak) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("name", a.name());
      r.put("where", a.where());
      r.put("samples", a.samples());
      r.put("median_seconds", finite(a.medianSeconds()));
      r.put("others_median_seconds", finite(a.othersMedianSeconds()));
      r.put("slowness", finite(a.slowness()));
      r.put("straggler", a.straggler());
      if (Double.isFinite(a.gcFraction())) {
        r.put("task_gc_fraction", a.gcFraction());
      }
      if (s != null) {
        r.put("device", s.device());
        r.put("step_seconds", finite(s.stepSeconds()));
        r.put("gc_seconds", s.gcSeconds());
        r.put("heap_max_bytes", s.heapMaxBytes());
        r.put("max_physical_bytes", s.maxPhysicalBytes());
      }
      if (peak != null) {
        r.put("native_bytes_peak", peak[0]);
        r.put("physical_bytes_peak", peak[1]);
        r.put("heap_used_bytes_peak", peak[2]);
        r.put("gc_fraction_peak", Double.longBitsToDouble(peak[3]));
      }
      return r;
    }

    private static Double finite(double v) {
      return Double.isFinite(v) ? v : null;
    }
  }
}
