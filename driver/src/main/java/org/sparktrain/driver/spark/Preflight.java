package org.sparktrain.driver.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.config.ConfigException;

/**
 * Checks what commonly breaks on clusters before any data is read, and fails with the setting to
 * change: speculation on, missing Java 17 module flags, an unloadable Kryo registrator, an ND4J
 * backend that does not load on an executor, executors too small for the model, or a GPU request
 * on a CPU-only backend.
 */
public final class Preflight {
  private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

  private Preflight() {}

  /** Driver-side checks on the Spark configuration (no job). */
  public static void checkConf(SparkConf conf) {
    if (conf.getBoolean("spark.speculation", false)) {
      throw new ConfigException("spark.speculation", "true is not allowed for training: a speculative copy of a "
          + "training task would be averaged twice; set spark.speculation=false (retries stay on)");
    }
    if (!javaBaseOpensNio()) {
      throw new PreflightException("the driver JVM lacks Spark's Java 17 module flags (--add-opens "
          + "java.base/sun.nio.ch=ALL-UNNAMED and the rest of conf/jvm.options): launch through spark-submit, "
          + "bin/sparktrain, or add @conf/jvm.options to the java command");
    }
    String problem = kryoProblem(conf.get("spark.serializer", ""), conf.get("spark.kryo.registrator", ""));
    if (problem != null) {
      throw new PreflightException(problem);
    }
  }

  /**
   * Runs one small task per executor slot and checks what each executor reports.
   *
   * @param device auto, cpu or gpu (config key {@code device})
   * @param neededOffHeapBytes estimate of one replica's native memory
   * @param replicasPerExecutor how many replicas an executor may hold at once (its cores)
   */
  public static List<ExecutorReport> checkExecutors(JavaSparkContext sc,
                                                   org.sparktrain.driver.config.Choices.Device device,
                                                   long neededOffHeapBytes,
                                                    int replicasPerExecutor) {
    SparkConf conf = sc.getConf();
    int slots = Math.max(1, sc.defaultParallelism());
    List<Integer> seeds = new ArrayList<>();
    for (int i = 0; i < slots; i++) {
      seeds.add(i);
    }
    List<ExecutorReport> all = sc.parallelize(seeds, slots)
        .mapPartitions(new Probe(conf.get("spark.serializer", ""), conf.get("spark.kryo.registrator", "")))
        .collect();
    Map<String, ExecutorReport> byExecutor = new LinkedHashMap<>();
    for (ExecutorReport r : all) {
      byExecutor.putIfAbsent(r.executorId() + "/" + r.pid(), r);
    }
    for (ExecutorReport r : byExecutor.values()) {
      LOG.info("executor {} pid {}: backend {} ({}), heap {}, off-heap limit {}, physical limit {}, GPUs {}",
          r.executorId(), r.pid(), r.backend(), r.devices(), mb(r.heapBytes()), mb(r.offHeapBytes()),
          mb(r.physicalBytes()), String.join(",", r.gpus()));
      String where = "executor " + r.executorId() + " (pid " + r.pid() + ")";
      if (r.backendError() != null) {
        throw new PreflightException("the ND4J backend does not load on " + where + ": " + r.backendError()
            + "; check that the jar's native classifier (linux-x86_64) matches the executors, and that "
            + "spark.executor.memoryOverhead leaves room for ND4J's native memory");
      }
      if (!r.moduleFlags()) {
        throw new PreflightException(where + " lacks Spark's Java 17 module flags; add the options of "
            + "conf/jvm.options to spark.executor.extraJavaOptions");
      }
      if (r.kryoRegistrator() != null) {
        throw new PreflightException(where + ": " + r.kryoRegistrator());
      }
      long need = neededOffHeapBytes * Math.max(1, replicasPerExecutor);
      if (r.offHeapBytes() > 0 && need > r.offHeapBytes()) {
        throw new PreflightException(String.format(Locale.ROOT, "%s allows %s of native memory "
                + "(org.bytedeco.javacpp.maxbytes) but %d replica(s) of this model need about %s: raise "
                + "spark.executor.memory (the default limit follows the heap) or set -Dorg.bytedeco.javacpp.maxbytes "
                + "in spark.executor.extraJavaOptions, and spark.executor.memoryOverhead to match", where,
            mb(r.offHeapBytes()), replicasPerExecutor, mb(need)));
      }
      boolean cpuBackend = r.backend() != null && !r.backend().toLowerCase(Locale.ROOT).contains("cuda");
      if (device == org.sparktrain.driver.config.Choices.Device.GPU && cpuBackend) {
        throw new ConfigException("device", "'gpu' but " + where + " runs ND4J's " + r.backend()
            + " (CPU only): build the GPU jar with mvn -Pcuda -DskipTests package, or set device: cpu");
      }
      if (device == org.sparktrain.driver.config.Choices.Device.GPU && r.gpus().length == 0) {
        throw new ConfigException("device", "'gpu' but Spark assigned no GPU to tasks on " + where + ": set "
            + "spark.executor.resource.gpu.amount, spark.task.resource.gpu.amount and a discovery script "
            + "(deploy/gpu/discover-gpus.sh)");
      }
    }
    return new ArrayList<>(byExecutor.values());
  }

  /** A rough upper estimate of one replica's native memory: parameters, gradients, updater, activations. */
  public static long replicaOffHeapBytes(long params, int batch, long activationsPerExample) {
    return 4L * (params * 4 + (long) batch * activationsPerExample * 3) + (64L << 20);
  }

  private static String mb(long bytes) {
    return bytes <= 0 ? "unknown" : (bytes >> 20) + " MB";
  }

  static boolean javaBaseOpensNio() {
    return Object.class.getModule().isOpen("sun.nio.ch", Preflight.class.getClassLoader().getUnnamedModule());
  }

  static String kryoProblem(String serializer, String registrator) {
    if (!serializer.endsWith("KryoSerializer") || registrator.isBlank()) {
      return null;
    }
    for (String name : registrator.split(",")) {
      try {
        Class.forName(name.trim(), false, Thread.currentThread().getContextClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        return "spark.kryo.registrator class " + name.trim() + " cannot be loaded (" + e + "); ship the sparktrain "
            + "jar to the executors (spark-submit does) or unset spark.kryo.registrator";
      }
    }
    return null;
  }

  /** Runs on an executor: loads the ND4J backend and reports. */
  static final class Probe implements FlatMapFunction<Iterator<Integer>, ExecutorReport> {
    private static final long serialVersionUID = 1L;
    private final String serializer;
    private final String registrator;

    Probe(String serializer, String registrator) {
      this.serializer = serializer;
      this.registrator = registrator;
    }

    @Override
    public Iterator<ExecutorReport> call(Iterator<Integer> ignored) {
      String backend = null;
      String error = null;
      String devices = "";
      try {
        backend = org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName();
        devices = describeDevices(org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation());
      } catch (Throwable t) {
        error = t.toString();
      }
      TaskContext tc = TaskContext.get();
      ResourceInformation gpu = tc == null ? null : tc.resourcesJMap().get("gpu");
      long offHeap = 0;
      long physical = 0;
      try {
        offHeap = org.sparktrain.kernels.device.JavaCpp.maxBytes(); // Loader first: see JavaCpp
        physical = org.sparktrain.kernels.device.JavaCpp.memory()[2];
      } catch (Throwable t) {
        // leave unknown
      }
      SparkEnv env = SparkEnv.get();
      return List.of(new ExecutorReport(env == null ? "?" : env.executorId(), ProcessHandle.current().pid(), backend,
          error, javaBaseOpensNio(), kryoProblem(serializer, registrator), Runtime.getRuntime().maxMemory(), offHeap,
          physical, gpu == null ? new String[0] : gpu.addresses(), devices)).iterator();
    }

    /** Device names and memory from ND4J's environment information (CUDA lists every device). */
    static String describeDevices(java.util.Properties env) {
      Object cuda = env.get("cuda.devicesInformation");
      if (cuda instanceof List<?> list && !list.isEmpty()) {
        StringBuilder sb = new StringBuilder();
        for (Object d : list) {
          if (d instanceof Map<?, ?> m) {
            sb.append(sb.length() == 0 ? "" : "; ").append(m.get("cuda.deviceName")).append(' ')
                .append(m.get("cuda.totalMemory") instanceof Number n ? (n.longValue() >> 20) + " MB" : "");
          }
        }
        return sb.toString();
      }
      return "cpu, " + env.getOrDefault("cores", "?") + " cores";
    }
  }
}
