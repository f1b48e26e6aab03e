package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's PyTorch peer: one thread per process, the allocator it is told, Adam's moments averaged too. */
class BenchPeerTest {
  @TempDir
  Path tmp;

  @Test
  void eachAllocatorGetsItsEnvironmentAndEveryVariantOneThread() {
    Map<String, String> tuned = BenchCommand.pytorchEnvironment("tuned");
    assertEquals("33554432", tuned.get("MALLOC_MMAP_THRESHOLD_"));
    assertEquals("4294967296", tuned.get("MALLOC_TRIM_THRESHOLD_"));
    assertEquals("268435456", tuned.get("MALLOC_TOP_PAD_"));
    Map<String, String> glibc = BenchCommand.pytorchEnvironment("glibc");
    assertTrue(glibc.keySet().stream().noneMatch(k -> k.startsWith("MALLOC_") || k.equals("LD_PRELOAD")), glibc.toString());
    for (Map<String, String> env : java.util.List.of(tuned, glibc)) {
      assertEquals("1", env.get("OMP_NUM_THREADS"));
      assertEquals("1", env.get("OPENBLAS_NUM_THREADS"));
    }
    if (Files.isReadable(Path.of(BenchCommand.JEMALLOC))) {
      assertEquals(BenchCommand.JEMALLOC, BenchCommand.pytorchEnvironment("jemalloc").get("LD_PRELOAD"));
    } else {
      assertThrowsMessage(() -> BenchCommand.pytorchEnvironment("jemalloc"), "is not installed (apt-get install libjemalloc2)");
    }
  }

  @Test
  void anUnknownAllocatorIsRefusedBeforeAnythingRuns() {
    Path out = tmp.resolve("bench");
    Cli.Result r = Cli.run("bench", "--config", Cli.conf("fashion-mnist-mlp.yaml"), "--output", out.toString(),
        "--pytorch-allocator", "tcmalloc");
    assertEquals(2, r.code(), r.err());
    assertEquals("sparktrain: error: config key '--pytorch-allocator': 'tcmalloc' is not an allocator; allowed: tuned, "
        + "jemalloc, glibc", r.err().strip());
    assertFalse(Files.exists(out));
  }

  @Test
  void thePytorchRowsRecordTheirSettingsAndAverageAdamsMomentsWhenSparktrainDoes() throws Exception {
    boolean torch;
    try {
      Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
      torch = p.waitFor() == 0;
    } catch (java.io.IOException e) {
      torch = false;
    }
    Assumptions.assumeTrue(torch, "SKIP: /usr/bin/python3 has no torch (apt-get install python3-torch "
        + "libopenblas0-pthread; bin/ensure-deps installs them)");
    // the bench finds bench/pytorch_bench.py under sparktrain.home (bin/sparktrain sets it)
    System.setProperty("sparktrain.home", System.getProperty("sparktrain.repo.root", ".."));
    Path out = tmp.resolve("bench");
    Cli.Result r = Cli.run("bench", "--config", Cli.conf("fashion-mnist-mlp.yaml"), "--output", out.toString(),
        "--repeat", "1", "--engines", "single", "--master", "local[2]", "--set", "data.limit.train=2000",
        "--set", "data.limit.test=500", "--set", "training.epochs=1");
    assertEquals(0, r.code(), r.err());
    JsonNode b = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
    int peers = 0;
    for (JsonNode run : b.get("runs")) {
      String engine = run.get("engine").asText();
      if (!engine.startsWith("pytorch")) {
        continue;
      }
      peers++;
      assertEquals("tuned", run.get("allocator").asText(), run.toString());
      assertEquals("33554432", run.get("allocator_env").get("MALLOC_MMAP_THRESHOLD_").asText(), run.toString());
      assertEquals("1", run.get("allocator_env").get("OPENBLAS_NUM_THREADS").asText(), run.toString());
      assertEquals(1, run.get("torch_threads").asInt(), run.toString());
      assertTrue(run.get("samples_per_second").asDouble() > 0 && run.get("test_accuracy").asDouble() > 0.3, run.toString());
      if (engine.equals("pytorch-2p")) {
        // fashion-mnist-mlp.yaml averages Adam's moments (averaging.updater_state: true): so does the peer
        assertEquals("parameters+adam_moments", run.get("averages").asText(), run.toString());
        assertEquals(10, run.get("averaging_frequency").asInt(), run.toString());
      }
    }
    assertEquals(2, peers, b.get("runs") + " absent: " + b.get("absent"));
  }

  private static void assertThrowsMessage(org.junit.jupiter.api.function.Executable e, String part) {
    IllegalArgumentException x = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
    assertTrue(x.getMessage().contains(part), x.getMessage());
  }
}
