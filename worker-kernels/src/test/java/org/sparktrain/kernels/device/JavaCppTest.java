package org.sparktrain.kernels.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JavaCPP class-initialisation deadlock the executor monitor's sampler hit (a memory gauge read
 * while a task thread loaded ND4J): in fresh JVMs, a gauge read through {@link JavaCpp#memory} racing
 * JavaCPP's loading at several offsets always finishes. The same race touching {@code Pointer} first
 * ({@code JavaCppRace raw DELAY_MS}, not run here: it hangs its JVM until the join times out)
 * deadlocked at 6 of 7 offsets (0-80 ms) when this was written.
 */
class JavaCppTest {
  private static String race(String mode, long delayMs) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir",
            System.getProperty("user.home") + "/.cache/sparktrain-javacpp"),
        JavaCppRace.class.getName(), mode, String.valueOf(delayMs)).redirectErrorStream(true);
    Process p = pb.start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "TIMEOUT";
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return out.substring(out.lastIndexOf('\n') + 1);
  }

  @Test
  void gaugesReadThroughLoaderNeverDeadlockWithNd4jLoading() throws Exception {
    for (long delay : new long[] {0, 10, 40}) {
      assertEquals("OK", race("safe", delay), "gauge read " + delay + " ms into JavaCPP's loading");
    }
  }
}
