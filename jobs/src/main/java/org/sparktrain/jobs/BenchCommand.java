package org.sparktrain.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.lang.management.ManagementFactory;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.output.Provenance;
import org.sparktrain.driver.output.RunOutput;
import org.sparktrain.kernels.model.NetworkFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparktrain bench}: the same model, data, batch size and averaging frequency through several
 * engines in one process, repeats interleaved (the engine order rotates each repeat) so machine
 * drift hits all of them; medians and ratios in {@code bench.json}, a markdown table on stdout.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark engines (single, dl4j-spark, sparktrain; PyTorch where installed) side by side.")
final class BenchCommand implements Callable<Integer> {
  /** FMA peak of this 2-core machine in FLOP/s (2 cores x 2 FMA units x 16 fp32 lanes x 2 x ~4.1 GHz). */
  static final double PEAK_FLOPS = 527e9;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config of the model and data.")
  String config;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where bench.json, bench.md and runs/ go.")
  String output;

  @Option(names = "--repeat", defaultValue = "3", description = "Repeats per engine (default ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--engines", split = ",", defaultValue = "single,dl4j-spark,sparktrain",
      description = "Engines to run (default ${DEFAULT-VALUE}).")
  List<String> engines;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config override (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--pytorch", defaultValue = "auto",
      description = "PyTorch rows: auto (when importable), off, or the python interpreter to use.")
  String pytorch;

  @Option(names = "--pytorch-allocator", defaultValue = "tuned",
      description = "Memory allocator of the PyTorch rows: tuned (glibc with raised mmap/trim thresholds: it "
          + "otherwise returns and re-faults large blocks every step), jemalloc (Debian's libjemalloc2 preloaded), "
          + "or glibc (as is). Default: ${DEFAULT-VALUE}.")
  String pytorchAllocator;

  @Option(names = "--overwrite", description = "Replace the results in a non-empty output directory.")
  boolean overwrite;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: set by the launcher).")
  String master;

  @Override
  public Integer call() throws Exception {
    if (repeat < 1) {
      throw new ConfigException("--repeat", repeat + " is out of range; allowed: >= 1");
    }
    for (String e : engines) {
      List<String> engines = org.sparktrain.driver.config.Choices.names(org.sparktrain.driver.config.Choices.Engine.class);
      if (!engines.contains(e)) {
        throw new ConfigException("--engines", "'" + e + "' is not an engine; allowed: " + engines);
      }
    }
    if (!ALLOCATORS.contains(pytorchAllocator)) {
      throw new ConfigException("--pytorch-allocator", "'" + pytorchAllocator
          + "' is not an allocator; allowed: " + String.join(", ", ALLOCATORS));
    }
    TrainConfig base = TrainCommand.loadConfig(config, overrides);
    RunOutput.checkAvailable(output, overwrite, new Configuration());
    Path out = Path.of(output);
    Files.createDirectories(out.resolve("runs"));
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    String python = pythonWithTorch();
    String loadBefore = loadAverage();
    List<Map<String, Object>> runs = new ArrayList<>();
    Map<String, Object> extraRows = new LinkedHashMap<>();
    String sparkMaster = master != null ? master : System.getProperty("spark.master", "local[*]");
    int planned = repeat * engines.size();
    long started = System.nanoTime();
    for (int r = 0; r < repeat; r++) {
      for (int i = 0; i < engines.size(); i++) {
        String engine = engines.get((i + r) % engines.size());
        String name = engine + "-r" + r;
        int done = r * engines.size() + i;
        double elapsed = (System.nanoTime() - started) / 1e9;
        System.out.println("bench: " + org.sparktrain.driver.train.ProgressPrinter.bar(done, planned, String.format(
            Locale.ROOT, "next: repeat %d/%d engine %s  elapsed %s%s", r + 1, repeat, engine,
            org.sparktrain.driver.train.ProgressPrinter.clock(elapsed), done == 0 ? ""
                : "  ETA " + org.sparktrain.driver.train.ProgressPrinter.clock(elapsed / done * (planned - done)))));
        Map<String, Object> row = runIsolated(engine, r, out.resolve("runs"), name, sparkMaster);
        runs.add(row);
        System.out.println("bench:   " + row);
      }
      if (python != null) {
        for (int procs : new int[] {1, 2}) {
          Map<String, Object> py = runPytorch(python, base, procs);
          if (py.containsKey("samples_per_second")) {
            py.put("repeat", r);
            runs.add(py);
            System.out.println("bench:   " + py);
          } else {
            extraRows.put("pytorch-" + procs + "p", py);
          }
        }
      }
    }
    if (python == null) {
      extraRows.put("pytorch", Map.of("absent", "no python3 with torch found (apt-get install python3-torch "
          + "libopenblas0-pthread); rows omitted"));
    }
    Map<String, Object> bench = new LinkedHashMap<>();
    bench.put("created_utc", Instant.now().toString());
    bench.put("config", config);
    bench.put("overrides", overrides);
    bench.put("repeat", repeat);
    bench.put("batch_size_per_worker", base.training().batchSize());
    bench.put("averaging_frequency", base.averaging().frequency());
    bench.put("epochs", base.training().epochs());
    double flops = NetworkFactory.trainingFlopsPerExample(base.model().layers(), new int[] {28, 28},
        base.data().numClasses());
    bench.put("training_flops_per_example", flops);
    bench.put("peak_flops", PEAK_FLOPS);
    bench.put("load_average_before", loadBefore);
    bench.put("load_average_after", loadAverage());
    bench.put("environment", Map.of(
        "OPENBLAS_CORETYPE", String.valueOf(System.getenv("OPENBLAS_CORETYPE")),
        "OPENBLAS_L2_SIZE", String.valueOf(System.getenv("OPENBLAS_L2_SIZE")),
        "OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")),
        "runtime", Provenance.environment(null)));
    bench.put("runs", runs);
    Map<String, Map<String, Double>> medians = medians(runs);
    bench.put("medians", medians);
    bench.put("ratios", ratios(medians, flops));
    bench.put("absent", extraRows);
    String table = table(medians, flops);
    bench.put("table_markdown", table);
    Files.writeString(out.resolve("bench.json"), json.writeValueAsString(bench));
    Files.writeString(out.resolve("bench.md"), table);
    org.sparktrain.driver.report.HtmlReport.write(org.sparktrain.driver.report.HtmlReport.bench(
        json.readTree(json.writeValueAsString(bench)), out.getFileName().toString()),
        out.resolve("report.html").toString(), true, new Configuration());
    System.out.println();
    System.out.print(table);
    System.out.println("ratios: " + bench.get("ratios"));
    System.out.println("wrote " + out.resolve("bench.json") + " and " + out.resolve("report.html"));
    return ExitCodes.OK;
  }

  /**
   * Runs one engine in a fresh JVM with this JVM's flags and classpath, so runs cannot disturb each
   * other (JIT state, native caches, a native crash) and each pays its own warm-up.
   */
  private Map<String, Object> runIsolated(String engine, int r, Path runsDir, String name, String sparkMaster)
      throws IOException, InterruptedException {
    Path dir = runsDir.resolve(name);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of("train", "--config", config, "--output", dir.toString(), "--overwrite", "--master", sparkMaster,
        "--set", "engine=" + engine,
        // engines are compared on training alone; checkpoint cost is measured separately (README)
        "--set", "checkpoint.every_minutes=0", "--set", "checkpoint.every_rounds=0"));
    for (String o : overrides) {
      cmd.add("--set");
      cmd.add(o);
    }
    Path log = runsDir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int code = p.waitFor();
    if (code != 0) {
      Map<String, Object> failed = new LinkedHashMap<>();
      failed.put("engine", engine);
      failed.put("repeat", r);
      failed.put("failed", "exit " + code + ", see " + log);
      return failed;
    }
    JsonNode m = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    @SuppressWarnings("unchecked")
    Map<String, Object> metrics = new ObjectMapper().convertValue(m, LinkedHashMap.class);
    return row(engine, r, metrics);
  }

  private static Map<String, Object> row(String engine, int repeat, Map<String, Object> m) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("engine", engine);
    r.put("repeat", repeat);
    r.put("samples_per_second", m.get("samples_per_second"));
    r.put("wall_seconds", m.get("training_seconds"));
    r.put("test_accuracy", m.get("test_accuracy"));
    Object sync = m.get("sync_fraction");
    r.put("sync_fraction", sync instanceof Number d && !Double.isNaN(d.doubleValue()) ? d.doubleValue() : null);
    r.put("mean_k", "sparktrain".equals(engine) && m.get("mean_k") instanceof Number d ? d.doubleValue() : null);
    if (m.get("monitoring") instanceof Map<?, ?> mon) {
      // what monitoring cost the run, measured directly (see README Monitoring, Overhead)
      r.put("monitoring_training_share", mon.get("training_share"));
      r.put("monitoring_sampler_cpu_share", mon.get("sampler_cpu_share"));
    }
    return r;
  }

  static Map<String, Map<String, Double>> medians(List<Map<String, Object>> runs) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    Map<String, List<Map<String, Object>>> byEngine = new LinkedHashMap<>();
    for (Map<String, Object> r : runs) {
      byEngine.computeIfAbsent((String) r.get("engine"), e -> new ArrayList<>()).add(r);
    }
    for (Map.Entry<String, List<Map<String, Object>>> e : byEngine.entrySet()) {
      Map<String, Double> m = new LinkedHashMap<>();
      for (String key : List.of("samples_per_second", "wall_seconds", "test_accuracy", "sync_fraction", "mean_k",
          "monitoring_training_share", "monitoring_sampler_cpu_share")) {
        List<Double> v = e.getValue().stream().filter(r -> !r.containsKey("failed")).map(r -> r.get(key)).filter(x -> x instanceof Number)
            .map(x -> ((Number) x).doubleValue()).sorted().toList();
        if (!v.isEmpty()) {
          m.put(key, v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2);
        }
      }
      m.put("runs", (double) e.getValue().stream().filter(r -> !r.containsKey("failed")).count());
      out.put(e.getKey(), m);
    }
    return out;
  }

  static Map<String, Double> ratios(Map<String, Map<String, Double>> med, double flops) {
    Map<String, Double> r = new LinkedHashMap<>();
    Double st = med.containsKey("sparktrain") ? med.get("sparktrain").get("samples_per_second") : null;
    if (st == null) {
      return r;
    }
    for (String other : List.of("dl4j-spark", "single", "pytorch-1p", "pytorch-2p")) {
      if (med.containsKey(other)) {
        r.put("sparktrain/" + other, st / med.get(other).get("samples_per_second"));
      }
    }
    r.put("sparktrain/fma_peak", st * flops / PEAK_FLOPS);
    return r;
  }

  static String table(Map<String, Map<String, Double>> med, double flops) {
    StringBuilder sb = new StringBuilder();
    sb.append("| engine | runs | samples/s (median) | training s | test acc | sync fraction | mean k | % of FMA peak |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Map<String, Double>> e : med.entrySet()) {
      Map<String, Double> m = e.getValue();
      double sps = m.getOrDefault("samples_per_second", Double.NaN);
      sb.append(String.format(Locale.ROOT, "| %s | %.0f | %,.0f | %.1f | %.4f | %s | %s | %.2f%% |%n", e.getKey(),
          m.get("runs"), sps, m.getOrDefault("wall_seconds", Double.NaN),
          m.getOrDefault("test_accuracy", Double.NaN),
          m.containsKey("sync_fraction") ? String.format(Locale.ROOT, "%.3f", m.get("sync_fraction")) : "-",
          m.containsKey("mean_k") ? String.format(Locale.ROOT, "%.1f", m.get("mean_k")) : "-",
          100 * sps * flops / PEAK_FLOPS));
    }
    return sb.toString();
  }

  private Map<String, Object> runPytorch(String python, TrainConfig base, int procs) {
    String model = base.model().layers().stream().anyMatch(l -> "conv".equals(l.type())) ? "cnn" : "mlp";
    String dataDir = new File(java.net.URI.create(base.data().train().images()).getPath()).getParent();
    List<String> cmd = new ArrayList<>(List.of(python, scriptPath().toString(), "--data", dataDir, "--model", model,
        "--batch", String.valueOf(base.training().batchSize()), "--k", String.valueOf(base.averaging().k()),
        "--epochs", String.valueOf(base.training().epochs()), "--procs", String.valueOf(procs),
        "--limit", String.valueOf(base.data().limit().train()), "--seed", String.valueOf(base.seed())));
    if (base.averaging().updaterState()) {
      cmd.add("--average-optimizer");
    }
    Map<String, String> env;
    try {
      env = pytorchEnvironment(pytorchAllocator);
    } catch (IllegalArgumentException e) {
      return Map.of("absent", e.getMessage());
    }
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
      pb.environment().putAll(env);
      Process p = pb.start();
      byte[] stdout = p.getInputStream().readAllBytes();
      if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
        return Map.of("absent", "pytorch run failed (exit " + p.exitValue() + "): " + String.join(" ", cmd));
      }
      String text = new String(stdout, StandardCharsets.UTF_8).strip();
      String last = text.substring(text.lastIndexOf('\n') + 1);
      JsonNode node = new ObjectMapper().readTree(last);
      @SuppressWarnings("unchecked")
      Map<String, Object> m = new ObjectMapper().convertValue(node, LinkedHashMap.class);
      m.put("allocator", pytorchAllocator);
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running PyTorch", e);
    }
  }

  /** The allocators {@link #pytorchEnvironment} sets up. */
  static final List<String> ALLOCATORS = List.of("tuned", "jemalloc", "glibc");

  /** Debian's jemalloc, preloaded for {@code --pytorch-allocator jemalloc}. */
  static final String JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

  /**
   * The PyTorch rows' environment: one compute and one BLAS thread per process, and the allocator
   * (issue measurements: glibc as is ~10,000 MLP samples/s here, tuned ~37,000-43,000).
   */
  static Map<String, String> pytorchEnvironment(String allocator) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("OMP_NUM_THREADS", "1");
    env.put("OPENBLAS_NUM_THREADS", "1");
    env.put("MKL_NUM_THREADS", "1");
    switch (allocator) {
      case "tuned" -> {
        env.put("MALLOC_MMAP_THRESHOLD_", "33554432");
        env.put("MALLOC_TRIM_THRESHOLD_", "4294967296");
        env.put("MALLOC_TOP_PAD_", "268435456");
      }
      case "jemalloc" -> {
        if (!Files.isReadable(Path.of(JEMALLOC))) {
          throw new IllegalArgumentException("--pytorch-allocator jemalloc: " + JEMALLOC
              + " is not installed (apt-get install libjemalloc2); rows omitted");
        }
        env.put("LD_PRELOAD", JEMALLOC);
      }
      default -> { } // glibc as is (the allocator name is checked before the bench starts)
    }
    return env;
  }

  private String pythonWithTorch() {
    if ("off".equals(pytorch)) {
      return null;
    }
    List<String> candidates = "auto".equals(pytorch) ? List.of("/usr/bin/python3", "python3") : List.of(pytorch);
    for (String py : candidates) {
      try {
        Process p = new ProcessBuilder(py, "-c", "import torch").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.exists(scriptPath())) {
          return py;
        }
      } catch (IOException e) {
        // not this interpreter
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private static Path scriptPath() {
    return Path.of(System.getProperty("sparktrain.home", "."), "bench", "pytorch_bench.py");
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
