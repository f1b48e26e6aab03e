package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A real Spark standalone cluster on this machine (Master and two Workers, separate JVMs, 1 core
 * each, authentication and encryption on, each Worker owning one fake GPU) fed the shaded jar
 * through deploy/standalone/submit.sh.
 */
class StandaloneClusterIT {
  private static final Path ROOT = Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath()
      .normalize();
  @TempDir
  static Path tmp;
  private static Path state;
  private static int port;
  private static final List<Long> clusterPids = new ArrayList<>();

  private record Run(int code, String output) {}

  private static Run run(Map<String, String> env, long timeoutSeconds, String... cmd)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path log = Files.createTempFile(tmp, "proc", ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      return new Run(-1, Files.readString(log));
    }
    return new Run(p.exitValue(), Files.readString(log));
  }

  @BeforeAll
  static void startCluster() throws Exception {
    state = tmp.resolve("cluster");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run r = run(Map.of("SPARKTRAIN_CLUSTER_DIR", state.toString()), 120, "deploy/standalone/start-cluster.sh",
        "--workers", "2", "--cores", "1", "--memory", "2g", "--port", String.valueOf(port),
        "--gpu-discovery", ROOT.resolve("deploy/standalone/fake-gpu-discovery.sh").toString(),
        "--gpus-per-worker", "1");
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().strip().endsWith("spark://127.0.0.1:" + port), r.output());
    for (String f : List.of("master.pid", "worker-1.pid", "worker-2.pid")) {
      clusterPids.add(Long.parseLong(Files.readString(state.resolve(f)).strip()));
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    List<Long> all = new ArrayList<>(clusterPids);
    for (long pid : clusterPids) {
      ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
    }
    Run r = run(Map.of("SPARKTRAIN_CLUSTER_DIR", state.toString()), 60, "deploy/standalone/stop-cluster.sh");
    assertEquals(0, r.code(), r.output());
    Thread.sleep(500);
    for (long pid : all) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " left behind");
    }
  }

  @Test
  void trainsOnTwoExecutorJvmsEachBoundToItsOwnGpu() throws Exception {
    Path out = tmp.resolve("run");
    Run r = run(Map.of("SPARKTRAIN_CLUSTER_DIR", state.toString()), 300, "deploy/standalone/submit.sh",
        "--executor-memory", "1500m", "--conf", "spark.executor.cores=1",
        "--conf", "spark.executor.resource.gpu.amount=1", "--conf", "spark.task.resource.gpu.amount=1",
        "train", "--config", "conf/fashion-mnist-mlp.yaml", "--output", out.toString(),
        "--set", "data.limit.train=20000", "--set", "training.epochs=1", "--set", "data.partitions=2");
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("master spark://127.0.0.1:" + port), r.output());
    JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertTrue(m.get("test_accuracy").asDouble() >= 0.80, "accuracy " + m.get("test_accuracy"));
    Set<String> workers = new TreeSet<>();
    Set<String> devices = new TreeSet<>();
    for (JsonNode round : m.get("rounds")) {
      for (JsonNode w : round.get("workers")) {
        workers.add(w.get("worker").asText());
        devices.add(w.get("partition").asInt() + ":" + w.get("device").asText());
      }
    }
    assertEquals(2, workers.size(), "two executor JVMs trained: " + workers);
    Set<String> pids = new TreeSet<>();
    for (String w : workers) {
      String pid = w.substring(w.lastIndexOf(' ') + 1);
      assertNotEquals(String.valueOf(ProcessHandle.current().pid()), pid);
      pids.add(pid);
    }
    assertEquals(2, pids.size(), workers.toString());
    Set<String> gpus = new TreeSet<>();
    for (String d : devices) {
      assertTrue(d.contains("gpu "), d);
      gpus.add(d.replaceAll(".*gpu (\\d+).*", "$1"));
    }
    assertEquals(Set.of("0", "1"), gpus, "each task bound to a distinct GPU address: " + devices);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void retrainsNightlyOnTheCluster() throws Exception {
    RetrainFixture fx = RetrainFixture.build(Files.createDirectories(tmp.resolve("retrain")),
        List.of(RetrainFixture.Spoil.NONE, RetrainFixture.Spoil.LABELS));
    Path registry = tmp.resolve("retrain/registry");
    // night 1 (the first champion) in this JVM; night 2 on the cluster: profile, checks, warm start from the
    // champion, both holdout evaluations and the gate all run on the two executor JVMs
    List<String> first = fx.retrainArgs(registry, RetrainFixture.date(1), "--master", "local[2]");
    Cli.Result one = Cli.run(first.toArray(new String[0]));
    assertEquals(0, one.code(), one.err());
    List<String> cmd = new ArrayList<>(List.of("deploy/standalone/submit.sh", "--executor-memory", "1500m", "--conf",
        "spark.executor.cores=1"));
    cmd.addAll(fx.retrainArgs(registry, RetrainFixture.date(2)));
    Run r = run(Map.of("SPARKTRAIN_CLUSTER_DIR", state.toString()), 300, cmd.toArray(new String[0]));
    assertTrue(r.output().contains("retrain fashion " + RetrainFixture.date(2)), r.output());
    assertTrue(r.output().contains("master spark://127.0.0.1:" + port), r.output());
    assertEquals(ExitCodes.GATE_REJECTED, r.code(), r.output());
    ObjectMapper json = new ObjectMapper();
    assertEquals("promoted", json.readTree(registry.resolve("fashion/ledger/2026-12-01.json").toFile()).get("decision")
        .asText());
    JsonNode second = json.readTree(registry.resolve("fashion/ledger/2026-12-02.json").toFile());
    assertEquals("rejected", second.get("decision").asText());
    assertEquals(1, second.get("champion_after").asInt());
    // the challenger trained on the two executor JVMs
    JsonNode m = json.readTree(registry.resolve("fashion/runs/2026-12-02/challenger/metrics.json").toFile());
    Set<String> workers = new TreeSet<>();
    for (JsonNode round : m.get("rounds")) {
      for (JsonNode w : round.get("workers")) {
        workers.add(w.get("worker").asText());
      }
    }
    assertEquals(2, workers.size(), "two executor JVMs trained: " + workers);
  }

  private static final List<String> KILL_RUN = List.of("--executor-memory", "1500m", "--conf",
      "spark.executor.cores=1", "train", "--config", "conf/fashion-mnist-mlp.yaml", "--set", "data.limit.train=40000",
      "--set", "data.limit.test=5000", "--set", "training.epochs=2", "--set", "data.partitions=2",
      "--set", "checkpoint.every_rounds=5");

  private static List<String> submit(Path out) {
    List<String> cmd = new ArrayList<>(List.of("deploy/standalone/submit.sh"));
    cmd.addAll(KILL_RUN);
    cmd.addAll(List.of("--output", out.toString()));
    return cmd;
  }

  /** Executor JVMs the Workers launched, by pid. */
  private static List<Long> executorPids() {
    List<Long> pids = new ArrayList<>();
    for (long worker : clusterPids.subList(1, clusterPids.size())) {
      ProcessHandle.of(worker).ifPresent(w -> w.descendants().filter(d -> d.info().commandLine()
          .map(c -> c.contains("CoarseGrainedExecutorBackend")).orElse(false)).forEach(d -> pids.add(d.pid())));
    }
    return pids;
  }

  private static Set<String> pidsIn(JsonNode round) {
    Set<String> pids = new TreeSet<>();
    for (JsonNode w : round.get("workers")) {
      String name = w.get("worker").asText();
      pids.add(name.substring(name.lastIndexOf(' ') + 1));
    }
    return pids;
  }

  private static Path undisturbed;

  /** The undisturbed run both kill tests compare with (run once). */
  private static synchronized Path undisturbed() throws Exception {
    if (undisturbed == null) {
      Path reference = tmp.resolve("undisturbed");
      Run ref = run(Map.of("SPARKTRAIN_CLUSTER_DIR", state.toString()), 300, submit(reference).toArray(String[]::new));
      assertEquals(0, ref.code(), ref.output());
      undisturbed = reference;
    }
    return undisturbed;
  }

  private static Process startSubmit(Path out, Path log, String... extra) throws IOException {
    List<String> cmd = new ArrayList<>(submit(out));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SPARKTRAIN_CLUSTER_DIR", state.toString());
    return pb.start();
  }

  private static long checkpointCount(Path out) throws IOException {
    Path dir = out.resolve("_checkpoints");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(c -> c.getFileName().toString().startsWith("round-") && Files.exists(c.resolve("MANIFEST.json")))
          .count();
    }
  }

  /** The executors (id and pid) that trained each partition over the run's rounds. */
  private static Map<Integer, Set<String>> workersOfPartition(JsonNode metrics) {
    Map<Integer, Set<String>> out = new java.util.HashMap<>();
    for (JsonNode round : metrics.get("rounds")) {
      for (JsonNode w : round.get("workers")) {
        out.computeIfAbsent(w.get("partition").asInt(), k -> new TreeSet<>()).add(w.get("worker").asText());
      }
    }
    return out;
  }

  /**
   * {@code deploy render --target standalone}: the rendered submit.sh (spark-submit with the
   * cluster's properties file, security on, the deploy config's executor shape) trains on the cluster.
   */
  @Test
  void renderedStandaloneSubmitTrainsOnTheCluster() throws Exception {
    Path out = tmp.resolve("deployed-train");
    Path deploy = tmp.resolve("deploy.yaml");
    Files.writeString(deploy, String.join("\n",
        "name: it-train",
        "job: {command: train, args: [--output, " + out + ", --set, data.limit.train=20000, --set, training.epochs=1,"
            + " --set, data.partitions=2]}",
        "spark: {executors: 2, executor_cores: 1, executor_memory: 1500m, memory_overhead: 512m, driver_memory: 2g}",
        "schedule: {cron: \"30 2 * * *\", time_zone: UTC}",
        "standalone: {master: \"spark://127.0.0.1:" + port + "\", home: " + ROOT + ", config: "
            + ROOT.resolve("conf/fashion-mnist-mlp.yaml") + ", properties_file: " + state.resolve("spark-defaults.conf")
            + ", user: root}", ""));
    Path rendered = tmp.resolve("rendered");
    assertEquals(0, Main.run("deploy", "render", "--config", deploy.toString(), "--target", "standalone",
        "--output", rendered.toString()));
    Run r = run(Map.of(), 300, rendered.resolve("standalone/submit.sh").toString());
    assertEquals(0, r.code(), r.output());
    JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertTrue(m.get("test_accuracy").asDouble() >= 0.78, "accuracy " + m.get("test_accuracy"));
    assertEquals(2, workersOfPartition(m).size());
    assertTrue(Files.readString(rendered.resolve("standalone/submit.sh")).contains("spark.network.crypto.enabled=true"));
    System.out.println("deploy render --target standalone: trained on the cluster, test accuracy "
        + m.get("test_accuracy"));
  }

  /**
   * Overlapped averaging across executor JVMs: two rounds in flight, each partition's round tasks
   * stay with the executor that caches its data (and keeps its replica), and the run converges.
   */
  /**
   * Trains the MLP on 20,000 examples in 2 partitions on the cluster with {@code setting}, checks
   * that it converged with each partition on its own executor JVM throughout, and returns its
   * metrics.
   */
  private static JsonNode trainOnTwoExecutors(String name, String setting) throws Exception {
    Path out = tmp.resolve(name);
    Run r = run(Map.of("SPARKTRAIN_CLUSTER_DIR", state.toString()), 300, "deploy/standalone/submit.sh",
        "--executor-memory", "1500m", "--conf", "spark.executor.cores=1",
        "train", "--config", "conf/fashion-mnist-mlp.yaml", "--output", out.toString(),
        "--set", "data.limit.train=20000", "--set", "training.epochs=1", "--set", "data.partitions=2",
        "--set", setting);
    assertEquals(0, r.code(), r.output());
    JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertTrue(m.get("test_accuracy").asDouble() >= 0.78, "accuracy " + m.get("test_accuracy"));
    assertEquals(20000, m.get("train_samples").asLong());
    Map<Integer, Set<String>> workersOfPartition = workersOfPartition(m);
    assertEquals(2, workersOfPartition.size());
    assertEquals(1, workersOfPartition.get(0).size(), "partition 0 stayed on one executor: " + workersOfPartition);
    assertEquals(1, workersOfPartition.get(1).size(), "partition 1 stayed on one executor: " + workersOfPartition);
    assertNotEquals(workersOfPartition.get(0), workersOfPartition.get(1), "two executor JVMs trained");
    return m;
  }

  @Test
  void overlappedAveragingTrainsOnTwoExecutorJvms() throws Exception {
    JsonNode m = trainOnTwoExecutors("overlap", "averaging.overlap=true");
    assertTrue(m.get("overlap").asBoolean(), m.toString());
    // the executors received the whole overlapped state (mode, base round...): their replicas were
    // corrected, never restarted
    assertEquals(0, m.get("overlap_restarts").asInt(), m.toString());
    assertEquals("correct", m.get("rounds").get(5).get("workers").get(0).get("start").asText());
  }

  /**
   * Streamed rounds across executor JVMs: the plugin runs in both executors and the driver, one
   * long task per partition trains every round on the executor holding its data, and the run
   * converges.
   */
  @Test
  void streamedRoundsTrainOnTwoExecutorJvms() throws Exception {
    JsonNode m = trainOnTwoExecutors("stream", "averaging.transport=stream");
    assertEquals("stream", m.get("transport").asText(), m.toString());
    assertEquals(0, m.get("retried_tasks").asInt(), m.toString());
  }

  @Test
  void killedDriverIsResumedOnTheClusterAndMatchesTheUndisturbedRun() throws Exception {
    Path reference = undisturbed();
    Path out = tmp.resolve("driver-killed");
    Path log = Files.createTempFile(tmp, "driver-killed", ".log");
    Process p = startSubmit(out, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (p.isAlive() && System.nanoTime() < deadline && checkpointCount(out) < 2) {
      Thread.sleep(20);
    }
    assertTrue(p.isAlive(), "the run ended before two checkpoints: " + Files.readString(log));
    new ProcessBuilder("kill", "-9", String.valueOf(p.pid())).start().waitFor(); // the driver JVM (exec chain)
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertFalse(Files.exists(out.resolve("_SUCCESS")));

    Run resumed = run(Map.of("SPARKTRAIN_CLUSTER_DIR", state.toString()), 300,
        startArgs(out, "--resume"));
    assertEquals(0, resumed.code(), resumed.output());
    assertTrue(resumed.output().contains("resuming run"), resumed.output());
    JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    JsonNode ref = new ObjectMapper().readTree(reference.resolve("metrics.json").toFile());
    float[] a = ModelSerializer.restoreMultiLayerNetwork(reference.resolve("model.zip").toFile(), false).params()
        .toFloatVector();
    float[] b = ModelSerializer.restoreMultiLayerNetwork(out.resolve("model.zip").toFile(), false).params()
        .toFloatVector();
    double maxDiff = 0;
    for (int i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    }
    System.out.printf("cluster driver kill: resumed from %s, %d of %d rounds retrained on new executors; max |param "
            + "diff| %.3g; accuracy %.4f vs %.4f%n", m.get("resumed_from_checkpoint").asText(),
        m.get("rounds_trained").asInt(), ref.get("rounds_total").asInt(), maxDiff, m.get("test_accuracy").asDouble(),
        ref.get("test_accuracy").asDouble());
    assertEquals(ref.get("rounds_total").asInt(), m.get("rounds_total").asInt());
    org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, 1e-5f, "same parameters as the undisturbed run");
  }

  private static String[] startArgs(Path out, String... extra) {
    List<String> cmd = new ArrayList<>(submit(out));
    cmd.addAll(List.of(extra));
    return cmd.toArray(String[]::new);
  }

  @Test
  void survivesAnExecutorKilledMidTraining() throws Exception {
    Path reference = undisturbed();
    double refAccuracy = new ObjectMapper().readTree(reference.resolve("metrics.json").toFile())
        .get("test_accuracy").asDouble();

    Path out = tmp.resolve("executor-killed");
    Path log = Files.createTempFile(tmp, "killed", ".log");
    Process p = startSubmit(out, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    Path checkpoints = out.resolve("_checkpoints");
    while (p.isAlive() && System.nanoTime() < deadline && !(Files.isDirectory(checkpoints)
        && Files.list(checkpoints).anyMatch(c -> c.getFileName().toString().startsWith("round-")))) {
      Thread.sleep(20);
    }
    List<Long> executors = executorPids();
    assertEquals(2, executors.size(), "two executor JVMs while training: " + executors);
    long victim = executors.get(0);
    new ProcessBuilder("kill", "-9", String.valueOf(victim)).start().waitFor();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the run did not end");
    String output = Files.readString(log);
    assertEquals(0, p.exitValue(), output);

    JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    // streamed rounds (the default): the lost task is retried on the executor the Worker relaunches
    // and rejoins the stream at the current round
    assertEquals("stream", m.get("transport").asText(), m.toString());
    assertTrue(m.get("retried_tasks").asInt() >= 1, m.toString());
    JsonNode rounds = m.get("rounds");
    assertTrue(pidsIn(rounds.get(0)).contains(String.valueOf(victim)), "the killed executor trained at first");
    assertFalse(pidsIn(rounds.get(rounds.size() - 1)).contains(String.valueOf(victim)),
        "killed before the last round, so it was mid-training");
    assertEquals(80000, m.get("train_samples").asLong(), "each partition counted once per round, no double counting");
    double accuracy = m.get("test_accuracy").asDouble();
    int lastWithVictim = 0;
    for (JsonNode round : rounds) {
      if (pidsIn(round).contains(String.valueOf(victim))) {
        lastWithVictim = round.get("round").asInt();
      }
    }
    System.out.printf("executor kill: pid %d killed, last trained round %d of %d; retried tasks %s; "
            + "accuracy %.4f vs undisturbed %.4f%n", victim, lastWithVictim, rounds.size(), m.get("retried_tasks"),
        accuracy, refAccuracy);
    assertEquals(refAccuracy, accuracy, 0.01, "within 1 pp of the undisturbed run");
  }

  @Test
  void clusterDeployModeRunsTheDriverOnAWorker() throws Exception {
    Path out = tmp.resolve("cluster-mode");
    Run r = run(Map.of("SPARKTRAIN_CLUSTER_DIR", state.toString()), 120, "deploy/standalone/submit.sh",
        "--deploy-mode", "cluster", "--driver-memory", "1g", "--executor-memory", "1g",
        "--conf", "spark.executor.resource.gpu.amount=1", "--conf", "spark.task.resource.gpu.amount=1",
        "train", "--config", ROOT.resolve("conf/fashion-mnist-mlp.yaml").toString(), "--output", out.toString(),
        "--set", "data.limit.train=5000", "--set", "data.limit.test=2000", "--set", "training.epochs=1",
        "--set", "data.partitions=1");
    assertEquals(0, r.code(), r.output());
    for (int i = 0; i < 240 && !Files.exists(out.resolve("_SUCCESS")); i++) {
      Thread.sleep(500);
    }
    assertTrue(Files.exists(out.resolve("_SUCCESS")), "the driver on the worker did not finish the run");
    JsonNode prov = new ObjectMapper().readTree(out.resolve("provenance.json").toFile());
    assertEquals("spark://127.0.0.1:" + port, prov.get("environment").get("spark_master").asText());
  }

  @Test
  void clientWithoutTheSecretIsRefused() throws Exception {
    Path masterLog = state.resolve("logs/master.log");
    long registeredBefore = countLines(masterLog, "Registering app");
    Run r = run(Map.of(), 25, "bin/spark-submit", "--master", "spark://127.0.0.1:" + port,
        "jobs/target/jobs-0.1.0-SNAPSHOT-shaded.jar", "train", "--config", "conf/fashion-mnist-mlp.yaml",
        "--output", tmp.resolve("intruder").toString(), "--set", "data.limit.train=500");
    assertTrue(r.output().contains("Failed to connect to master"), r.output());
    assertTrue(Files.readString(masterLog).contains("Expected SaslMessage"), "master did not reject the client");
    assertEquals(registeredBefore, countLines(masterLog, "Registering app"), "an unauthenticated app registered");
    assertFalse(Files.exists(tmp.resolve("intruder").resolve("metrics.json")));
  }

  private static long countLines(Path file, String needle) throws IOException {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(l -> l.contains(needle)).count();
    }
  }
}
