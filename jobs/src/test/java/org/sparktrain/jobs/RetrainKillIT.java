package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.registry.ModelRegistry;
import org.sparktrain.driver.registry.Signing;

/**
 * {@code kill -9} of a {@code retrain} driver (bin/sparktrain, its own JVM) between two registry
 * writes of the promotion: after the version is registered, and after previous moved but before
 * champion did. Every alias must point at a complete, verified version
 * afterwards, and a rerun of the date must finish the promotion with the version already registered
 * (no second one).
 */
class RetrainKillIT {
  private static final Path ROOT = Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath()
      .normalize();
  @TempDir
  static Path tmp;
  private static RetrainFixture fx;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void snapshots() {
    fx = RetrainFixture.build(tmp, List.of(RetrainFixture.Spoil.NONE, RetrainFixture.Spoil.NONE,
        RetrainFixture.Spoil.NONE));
  }

  private Process start(Path registry, String date, Path log, Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/sparktrain").toString()));
    // a floor only: these tests are about the registry writes, not about which night wins the gate
    cmd.addAll(fx.retrainArgs(registry, date, "--master", "local[2]", "--set",
        "retrain.gate=[{metric: accuracy, threshold: 0.5}]"));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SPARKTRAIN_NO_BUILD", "1");
    pb.environment().putAll(env);
    return pb.start();
  }

  private int runToEnd(Path registry, String date, Path log) throws Exception {
    Process p = start(registry, date, log, Map.of());
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + Files.readString(log));
    }
    return p.exitValue();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private ModelRegistry open(Path registry) {
    Configuration hadoop = new Configuration();
    return ModelRegistry.open(registry.toString(), hadoop, Signing.load(null, fx.verifyKey(), hadoop),
        ModelRegistry.Verify.REQUIRE, w -> { });
  }

  /** The registry night 1 leaves (run once, copied by each test: same versions, aliases, ledger). */
  private static Path first;

  private Path afterNightOne() throws Exception {
    if (first == null) {
      Path dir = tmp.resolve("registry-night1");
      Path log1 = tmp.resolve("night1.log");
      assertEquals(0, runToEnd(dir, RetrainFixture.date(1), log1), Files.readString(log1));
      first = dir;
    }
    return first;
  }

  @Test
  void killedMidPromotionLeavesCompleteVersionsAndTheRerunFinishesIt() throws Exception {
    Path first = afterNightOne();
    // after the version is registered (no alias moved yet) and between the two alias moves of the promotion
    for (String point : List.of("registered", "previous_moved")) {
      // each kill starts from the registry night 1 left (copied: same versions, aliases, ledger)
      Path registry = tmp.resolve("registry-" + point);
      copyTree(first, registry);

      Path log = tmp.resolve(point + "-night2.log");
      Process p = start(registry, RetrainFixture.date(2), log, Map.of("SPARKTRAIN_RETRAIN_PAUSE_AT", point));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (p.isAlive() && !Files.readString(log).contains("paused at " + point) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(p.isAlive(), "night 2 ended before " + point + ": " + Files.readString(log));
      new ProcessBuilder("kill", "-9", String.valueOf(p.pid())).start().waitFor();
      p.waitFor(30, TimeUnit.SECONDS);
      assertEquals(137, p.exitValue(), "killed by SIGKILL");

      ModelRegistry reg = open(registry);
      Map<String, ModelRegistry.Alias> aliases = reg.aliases("fashion");
      for (ModelRegistry.Alias a : aliases.values()) {
        reg.verify("fashion", a.version()); // throws unless complete and intact
      }
      assertEquals(1, aliases.get("champion").version(), point + ": the champion did not move yet");
      assertEquals(point.equals("registered") ? 1 : 2, aliases.get("challenger").version(), point);
      assertEquals(2, reg.versions("fashion").size(), point);

      Path log3 = tmp.resolve(point + "-rerun.log");
      assertEquals(0, runToEnd(registry, RetrainFixture.date(2), log3), Files.readString(log3));
      assertTrue(Files.readString(log3).contains("version 2 was registered by an earlier attempt"),
          Files.readString(log3));
      reg = open(registry);
      assertEquals(2, reg.alias("fashion", "champion").version(), point);
      assertEquals(1, reg.alias("fashion", "previous").version(), point);
      assertEquals(2, reg.versions("fashion").size(), point + ": no second version");
      JsonNode entry = JSON.readTree(registry.resolve("fashion/ledger/2026-12-02.json").toFile());
      assertEquals("promoted", entry.get("decision").asText());
      assertEquals(2, entry.get("attempt").asInt());
    }
  }

  @Test
  void twoRacingRetrainsKeepBothVersionsAndOneIsToldItLost() throws Exception {
    Path registry = tmp.resolve("registry-race");
    copyTree(afterNightOne(), registry);
    // nights 2 and 3 start together: both read champion 1, both train, both pass the gate
    Path a = tmp.resolve("race-a.log");
    Path b = tmp.resolve("race-b.log");
    Process pa = start(registry, RetrainFixture.date(2), a, Map.of());
    Process pb = start(registry, RetrainFixture.date(3), b, Map.of());
    assertTrue(pa.waitFor(400, TimeUnit.SECONDS) && pb.waitFor(400, TimeUnit.SECONDS), "timed out");
    List<Integer> codes = List.of(pa.exitValue(), pb.exitValue());
    assertTrue(codes.contains(0) && codes.contains(ExitCodes.REGISTRY_CONFLICT),
        codes + "\n" + Files.readString(a) + "\n" + Files.readString(b));
    String loser = Files.readString(codes.get(0) == 0 ? b : a);
    assertTrue(loser.contains("conflict") && loser.contains("stays registered"), loser);
    ModelRegistry reg = open(registry);
    assertEquals(3, reg.versions("fashion").size(), "both challengers survive");
    for (ModelRegistry.VersionInfo v : reg.versions("fashion")) {
      reg.verify("fashion", v.version());
    }
    int winner = JSON.readTree(registry.resolve("fashion/ledger/" + RetrainFixture.date(codes.get(0) == 0 ? 2 : 3)
        + ".json").toFile()).get("version").asInt();
    assertEquals(winner, reg.alias("fashion", "champion").version());
    assertEquals(1, reg.alias("fashion", "previous").version());
    JsonNode lost = JSON.readTree(registry.resolve("fashion/ledger/" + RetrainFixture.date(codes.get(0) == 0 ? 3 : 2)
        + ".json").toFile());
    assertEquals("conflict", lost.get("decision").asText());
  }
}
