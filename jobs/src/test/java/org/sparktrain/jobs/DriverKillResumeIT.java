package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver JVM killed with {@code kill -9} after checkpoints were written: {@code train --resume}
 * skips a checkpoint with a flipped byte, continues from the one before it and ends with the
 * parameters of a run that was never interrupted; a resume under a changed config is refused with the
 * key named and touches nothing. Runs bin/sparktrain (the shaded jar) as separate processes.
 */
class DriverKillResumeIT {
  private static final Path ROOT = Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath()
      .normalize();
  private static final List<String> SETTINGS = List.of("--master", "local[2]", "--set", "data.partitions=2",
      "--set", "training.epochs=2", "--set", "data.limit.test=2000", "--set", "checkpoint.every_rounds=5",
      "--set", "checkpoint.keep_last=3");
  @TempDir
  Path tmp;

  private Process start(Path out, Path log, String... extra) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/sparktrain").toString(), "train", "--config",
        ROOT.resolve("conf/fashion-mnist-mlp.yaml").toString(), "--output", out.toString()));
    cmd.addAll(SETTINGS);
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SPARKTRAIN_NO_BUILD", "1");
    return pb.start();
  }

  private int runToEnd(Path out, Path log, String... extra) throws Exception {
    Process p = start(out, log, extra);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      // a stalled driver: its threads say where (bin/sparktrain execs the JVM, so the pid is java's)
      String threads = threadDump(p.pid());
      p.destroyForcibly();
      throw new AssertionError("timed out: " + Files.readString(log) + "\n--- thread dump of the stalled driver ---\n"
          + threads);
    }
    return p.exitValue();
  }

  static String threadDump(long pid) {
    try {
      Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(pid), "Thread.print").redirectErrorStream(true).start();
      String dump = new String(j.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      j.waitFor(60, TimeUnit.SECONDS);
      return dump;
    } catch (IOException | InterruptedException e) {
      return "(no thread dump: " + e + ")";
    }
  }

  private static List<Path> checkpoints(Path out) throws IOException {
    Path dir = out.resolve("_checkpoints");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("round-") && Files.exists(p.resolve("MANIFEST.json")))
          .sorted().toList();
    }
  }

  private static float[] params(Path out) throws IOException {
    MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(out.resolve("model.zip").toFile(), false);
    return net.params().toFloatVector();
  }

  private static Map<String, Long> snapshot(Path dir) throws IOException {
    Map<String, Long> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(dir.relativize(p).toString(), Files.size(p) ^ Files.getLastModifiedTime(p).toMillis()
            ^ java.util.Arrays.hashCode(Files.readAllBytes(p)));
      }
    }
    return m;
  }

  @Test
  void killedDriverResumesFromTheNewestIntactCheckpointAndMatchesAnUninterruptedRun() throws Exception {
    Path reference = tmp.resolve("reference");
    assertEquals(0, runToEnd(reference, tmp.resolve("reference.log")), Files.readString(tmp.resolve("reference.log")));

    Path out = tmp.resolve("interrupted");
    Path log = tmp.resolve("first.log");
    Process p = start(out, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (checkpoints(out).size() < 2 && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(p.isAlive(), "the run ended before two checkpoints were seen: " + Files.readString(log));
    new ProcessBuilder("kill", "-9", String.valueOf(p.pid())).start().waitFor();
    p.waitFor(30, TimeUnit.SECONDS);
    assertEquals(137, p.exitValue(), "killed by SIGKILL");
    assertFalse(Files.exists(out.resolve("_SUCCESS")), "the killed run did not finish");
    assertFalse(Files.exists(out.resolve("model.zip")));

    // Flip one byte of the newest checkpoint's parameters (and drop the local file system's .crc, as
    // an object store would have none): resume must reject it and use the previous one.
    List<Path> cps = checkpoints(out);
    Path newest = cps.get(cps.size() - 1);
    try (RandomAccessFile f = new RandomAccessFile(newest.resolve("params.bin").toFile(), "rw")) {
      f.seek(4000);
      int b = f.read();
      f.seek(4000);
      f.write(b ^ 0x10);
    }
    Files.deleteIfExists(newest.resolve(".params.bin.crc"));

    // A changed model shape is refused (automatic resume: no --resume needed to detect the run), and
    // nothing in the output directory changes.
    Map<String, Long> before = snapshot(out);
    Path refusedLog = tmp.resolve("refused.log");
    int refused = runToEnd(out, refusedLog, "--set", "training.batch_size=32");
    String refusal = Files.readString(refusedLog);
    assertEquals(ExitCodes.USAGE, refused, refusal);
    assertTrue(refusal.contains("config key 'training.batch_size': differs from the config of checkpoint")
        && refusal.contains("checkpoint 64, now 32"), refusal);
    assertEquals(before, snapshot(out), "a refused resume leaves outputs and checkpoints untouched");

    Path resumeLog = tmp.resolve("resume.log");
    int code = runToEnd(out, resumeLog, "--resume");
    String resumed = Files.readString(resumeLog);
    assertEquals(0, code, resumed);
    assertTrue(resumed.contains("checkpoint file:" + newest + " failed verification (params.bin has SHA-256"),
        resumed);
    String previous = cps.get(cps.size() - 2).getFileName().toString();
    assertTrue(resumed.contains("from checkpoint " + previous), resumed);
    JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    JsonNode ref = new ObjectMapper().readTree(reference.resolve("metrics.json").toFile());
    assertEquals(previous, m.get("resumed_from_checkpoint").asText());
    assertEquals(ref.get("rounds_total").asInt(), m.get("rounds_total").asInt(),
        "the resumed run ends at the same round number");
    assertTrue(m.get("rounds_trained").asInt() < ref.get("rounds_trained").asInt());
    float[] a = params(reference);
    float[] b = params(out);
    double maxDiff = 0;
    for (int i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    }
    System.out.printf("driver kill: killed with %d checkpoints, newest %s corrupted, resumed from %s; %d rounds "
            + "retrained of %d; max |param diff| %.3g; accuracy %.4f vs %.4f%n", cps.size(), newest.getFileName(),
        previous, m.get("rounds_trained").asInt(), ref.get("rounds_total").asInt(), maxDiff,
        m.get("test_accuracy").asDouble(), ref.get("test_accuracy").asDouble());
    assertArrayEquals(a, b, 1e-5f, "final parameters equal the uninterrupted run's");
    assertEquals(ref.get("test_accuracy").asDouble(), m.get("test_accuracy").asDouble(), 1e-9);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertFalse(new File(out.toFile(), "_staging-" + m.get("run_id").asText()).exists());
  }
}
