package org.sparktrain.driver.monitor;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.task.ExecutorMeter;

/**
 * sparktrain's metrics in Spark's metrics system ({@code spark.plugins}; {@link
 * org.sparktrain.driver.spark.SparkSettings} adds it unless {@code monitoring.metrics} is false).
 *
 * <p>Driver: gauges, counters and a histogram over {@link LiveMetrics}, registered in {@link
 * DriverPlugin#registerMetrics}, so every configured sink shows them under {@code
 * <namespace>.driver.plugin.org.sparktrain.driver.monitor.MonitorPlugin.<name>} (Spark's
 * PrometheusServlet: {@code metrics_sparktrain_driver_plugin_org_sparktrain_driver_monitor_MonitorPlugin_<name>_Value}).
 *
 * <p>Executors: gauges in the executor's own registry (for Spark's executor sinks) and, because
 * Spark 3.5 serves executor plugin metrics on no HTTP endpoint, an {@link ExecutorSample} sent to
 * the driver every {@value #INTERVAL_KEY} milliseconds (default 1000); the driver exposes each
 * executor's latest sample as {@code executor.<id>.<name>} gauges.
 */
public final class MonitorPlugin implements SparkPlugin {
  /** The class users name in {@code spark.plugins}. */
  public static final String CLASS = MonitorPlugin.class.getName();
  /** Spark conf key: executor sample interval in milliseconds. */
  public static final String INTERVAL_KEY = "spark.sparktrain.monitor.executorIntervalMs";

  private static final Logger LOG = LoggerFactory.getLogger(MonitorPlugin.class);

  @Override
  public DriverPlugin driverPlugin() {
    return new Driver();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new Executor();
  }

  /** The driver's metric names, as registered (README "Monitoring" lists them as Prometheus shows them). */
  public static final Set<String> DRIVER_METRICS = Set.of("running", "round", "rounds_total", "epoch", "epochs",
      "partitions", "loss", "samples_per_second", "sync_fraction", "k", "replica_spread", "relative_spread",
      "examples", "data_rows_read", "test_accuracy", "sparsity", "checkpoint_age_seconds",
      "checkpoint_last_seconds", "seconds_since_round", "stragglers", "run_start_seconds", "rounds_completed",
      "rollbacks", "retried_tasks", "excluded_replicas", "checkpoints", "checkpoint_failures", "round_millis");

  /** Per-executor names, registered as {@code executor.<id>.<name>} when an executor's first sample arrives. */
  public static final Set<String> EXECUTOR_METRICS = Set.of("step_seconds", "data_seconds", "native_bytes",
      "physical_bytes", "heap_used_bytes", "gc_seconds", "gc_fraction", "steps", "gpu", "slowness");

  static final class Driver implements DriverPlugin {
    private final LiveMetrics live = LiveMetrics.get();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile MetricRegistry registry;

    @Override
    public Map<String, String> init(SparkContext sc, PluginContext ctx) {
      return Map.of();
    }

    @Override
    public void registerMetrics(String appId, PluginContext ctx) {
      MetricRegistry r = ctx.metricRegistry();
      gauge(r, "running", () -> live.running);
      gauge(r, "round", () -> live.round);
      gauge(r, "rounds_total", () -> live.roundsTotal);
      gauge(r, "epoch", () -> live.epoch);
      gauge(r, "epochs", () -> live.epochs);
      gauge(r, "partitions", () -> live.partitions);
      gauge(r, "loss", () -> live.loss);
      gauge(r, "samples_per_second", () -> live.samplesPerSecond);
      gauge(r, "sync_fraction", () -> live.syncFraction);
      gauge(r, "k", () -> live.k);
      gauge(r, "replica_spread", () -> live.replicaSpread);
      gauge(r, "relative_spread", () -> live.relativeSpread);
      gauge(r, "examples", () -> live.examples);
      gauge(r, "data_rows_read", () -> live.dataRowsRead);
      gauge(r, "test_accuracy", () -> live.testAccuracy);
      gauge(r, "sparsity", () -> live.sparsity);
      gauge(r, "checkpoint_age_seconds", live::checkpointAgeSeconds);
      gauge(r, "checkpoint_last_seconds", () -> live.lastCheckpointSeconds);
      gauge(r, "seconds_since_round", live::secondsSinceRound);
      gauge(r, "stragglers", () -> live.stragglers);
      gauge(r, "run_start_seconds", () -> live.runStartMillis / 1000.0);
      r.register("rounds_completed", live.roundsCompleted);
      r.register("rollbacks", live.rollbacks);
      r.register("retried_tasks", live.retriedTasks);
      r.register("excluded_replicas", live.excludedReplicas);
      r.register("checkpoints", live.checkpoints);
      r.register("checkpoint_failures", live.checkpointFailures);
      r.register("round_millis", live.roundMillis);
      registry = r;
    }

    @Override
    public Object receive(Object message) {
      if (!(message instanceof byte[] bytes)) {
        throw new IllegalArgumentException("sparktrain's monitor takes encoded samples, got "
            + (message == null ? "null" : message.getClass().getName()));
      }
      long t0 = System.nanoTime();
      ExecutorSample s = ExecutorSample.decode(bytes);
      live.executorSample(s);
      MetricRegistry r = registry;
      if (r != null && registered.add(s.executorId())) {
        registerExecutor(r, s.executorId());
      }
      live.receiveNanos.addAndGet(System.nanoTime() - t0);
      return null;
    }

    private void registerExecutor(MetricRegistry r, String id) {
      String p = "executor." + id + ".";
      sample(r, p + "step_seconds", id, ExecutorSample::stepSeconds);
      sample(r, p + "data_seconds", id, ExecutorSample::dataSeconds);
      sample(r, p + "native_bytes", id, ExecutorSample::nativeBytes);
      sample(r, p + "physical_bytes", id, ExecutorSample::physicalBytes);
      sample(r, p + "heap_used_bytes", id, ExecutorSample::heapUsedBytes);
      sample(r, p + "gc_seconds", id, ExecutorSample::gcSeconds);
      sample(r, p + "gc_fraction", id, ExecutorSample::gcFraction);
      sample(r, p + "steps", id, ExecutorSample::steps);
      sample(r, p + "gpu", id, s -> gpuIndex(s.device()));
      gauge(r, p + "slowness", () -> live.slowness.getOrDefault(id, Double.NaN));
    }

    private void sample(MetricRegistry r, String name, String id, ToDoubleFunction<ExecutorSample> f) {
      gauge(r, name, () -> {
        ExecutorSample s = live.executors.get(id);
        return s == null ? Double.NaN : f.applyAsDouble(s);
      });
    }
  }

  /** The GPU a device string names ({@code gpu 0}, {@code gpu:1}), -1 for a CPU. */
  static double gpuIndex(String device) {
    if (device == null || !device.startsWith("gpu")) {
      return -1;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("gpu[ :]*(\\d+)").matcher(device);
    return m.lookingAt() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static <T extends Number> void gauge(MetricRegistry r, String name, Gauge<T> g) {
    r.register(name, g);
  }

  static final class Executor implements ExecutorPlugin {
    private ScheduledExecutorService timer;
    private final Sampler sampler = new Sampler();

    @Override
    public void init(PluginContext ctx, Map<String, String> extraConf) {
      MetricRegistry r = ctx.metricRegistry();
      gauge(r, "native_bytes", () -> sampler.last == null ? 0L : sampler.last.nativeBytes());
      gauge(r, "physical_bytes", () -> sampler.last == null ? 0L : sampler.last.physicalBytes());
      gauge(r, "heap_used_bytes", () -> sampler.last == null ? 0L : sampler.last.heapUsedBytes());
      gauge(r, "gc_seconds", () -> sampler.last == null ? 0.0 : sampler.last.gcSeconds());
      gauge(r, "step_seconds", () -> sampler.last == null ? Double.NaN : sampler.last.stepSeconds());
      gauge(r, "data_seconds", () -> sampler.last == null ? Double.NaN : sampler.last.dataSeconds());
      gauge(r, "steps", () -> ExecutorMeter.totals().steps());
      long interval = Math.max(100, ctx.conf().getLong(INTERVAL_KEY, 1000));
      timer = Executors.newSingleThreadScheduledExecutor(run -> {
        Thread t = new Thread(run, "sparktrain-monitor-sampler");
        t.setDaemon(true);
        return t;
      });
      java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      timer.scheduleAtFixedRate(() -> {
        long cpu0 = threads.getCurrentThreadCpuTime();
        try {
          ctx.send(sampler.sample(ctx.executorID(), ctx.hostname()).encode());
        } catch (Exception | LinkageError e) {
          LOG.debug("executor sample not sent: {}", e.toString());
        } finally {
          sampler.cpuNanos += Math.max(0, threads.getCurrentThreadCpuTime() - cpu0);
        }
      }, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public void shutdown() {
      if (timer != null) {
        timer.shutdownNow();
      }
    }
  }

  /** Takes samples and turns the totals between two of them into per-step figures. */
  static final class Sampler {
    private ExecutorMeter.Totals previous = ExecutorMeter.totals();
    private long previousNanos = System.nanoTime();
    private double previousGc = gcSeconds();
    volatile ExecutorSample last;
    /** CPU time of the sampling thread so far (written by it only). */
    volatile long cpuNanos;

    ExecutorSample sample(String executorId, String host) {
      ExecutorMeter.Totals now = ExecutorMeter.totals();
      long nanos = System.nanoTime();
      double gc = gcSeconds();
      long steps = now.steps() - previous.steps();
      // an interval without steps keeps the last figures (NaN only before the first step)
      double step = steps > 0 ? (now.computeSeconds() - previous.computeSeconds()) / steps
          : last == null ? Double.NaN : last.stepSeconds();
      double data = steps > 0 ? (now.dataSeconds() - previous.dataSeconds()) / steps
          : last == null ? Double.NaN : last.dataSeconds();
      double wall = (nanos - previousNanos) / 1e9;
      double gcFraction = wall > 0 ? Math.min(1, (gc - previousGc) / wall) : 0;
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      long[] nativeMem = nativeMemory();
      previous = now;
      previousNanos = nanos;
      previousGc = gc;
      ExecutorSample s = new ExecutorSample(executorId, host, System.currentTimeMillis(), now.device(), now.rounds(),
          now.steps(), step, data, nativeMem[0], nativeMem[1], nativeMem[2], heap.getUsed(), heap.getMax(), gc,
          gcFraction, cpuNanos / 1e9);
      last = s;
      return s;
    }

    private static double gcSeconds() {
      long ms = 0;
      for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
        ms += Math.max(0, b.getCollectionTime());
      }
      return ms / 1000.0;
    }

    /** JavaCPP's tracked bytes, the resident size and JavaCPP's limit (zeros where JavaCPP cannot load). */
    private static long[] nativeMemory() {
      // through Loader first: this thread must not start JavaCPP's Pointer/Loader initialisation from the
      // Pointer side while a task thread loads ND4J (a class-initialisation deadlock; see JavaCpp)
      return org.sparktrain.kernels.device.JavaCpp.memory();
    }
  }
}
