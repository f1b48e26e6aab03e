package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulated week of nightly retraining on Fashion-MNIST snapshots (Parquet, {@code dt={date}}):
 * a good night, a schema change, a drifted night, a night whose labels are scrambled (the
 * challenger is worse), a good night. The ledger must read promote / data check failed / drift /
 * gate rejected / promote, the champion must be the last good night's version, {@code predict}
 * with {@code @champion} must use it, a rerun of a finished date does nothing, a date without a
 * snapshot is "no new data", and a tampered champion is refused naming the file.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetrainWeekTest {
  @TempDir
  static Path tmp;
  private static RetrainFixture fx;
  private static Path registry;
  private static Path holdout;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Integer> codes = new ArrayList<>();

  @BeforeAll
  static void snapshotsAndKeys() {
    fx = RetrainFixture.build(tmp, List.of(RetrainFixture.Spoil.NONE, RetrainFixture.Spoil.SCHEMA,
        RetrainFixture.Spoil.DRIFT, RetrainFixture.Spoil.LABELS, RetrainFixture.Spoil.NONE));
    registry = tmp.resolve("registry");
    holdout = fx.holdout;
  }

  private static String[] retrain(String date, String... extra) {
    List<String> a = fx.retrainArgs(registry, date, extra);
    a.addAll(List.of("--master", "local[2]"));
    return a.toArray(new String[0]);
  }

  private static JsonNode ledger(String date) throws Exception {
    return JSON.readTree(registry.resolve("fashion/ledger/" + date + ".json").toFile());
  }

  @Test
  @Order(1)
  void aWeekOfNights() throws Exception {
    Path prom = tmp.resolve("textfile/sparktrain.prom");
    for (int d = 1; d <= 5; d++) {
      Cli.Result r = Cli.run(retrain("2026-12-0" + d, "--metrics-file", prom.toString()));
      codes.add(r.code());
      if (d == 4) {
        String text = Files.readString(prom);
        assertTrue(text.matches("(?s).*\nsparktrain_gate_rejected\\{run_dir=\"[^\"]+\",model=\"fashion\"} 1\n.*"), text);
        promtoolCheck(prom);
      }
    }
    assertEquals(List.of(ExitCodes.OK, ExitCodes.DATA_CHECK_FAILED, ExitCodes.DATA_CHECK_FAILED,
        ExitCodes.GATE_REJECTED, ExitCodes.OK), codes);
    List<String> decisions = new ArrayList<>();
    for (int d = 1; d <= 5; d++) {
      decisions.add(ledger("2026-12-0" + d).get("decision").asText());
    }
    assertEquals(List.of("promoted", "data_check_failed", "drift_detected", "rejected", "promoted"), decisions);
    JsonNode schema = ledger("2026-12-02");
    assertTrue(schema.get("reasons").get(0).asText().contains("column 'pixels' is missing"), schema.toString());
    JsonNode drift = ledger("2026-12-03");
    assertTrue(drift.get("reasons").get(0).asText().startsWith("drift: "), drift.toString());
    JsonNode checks = JSON.readTree(registry.resolve("fashion/runs/2026-12-03/data_checks.json").toFile());
    assertTrue(checks.get("drift").get("features_drifted").asInt() > 100, checks.get("drift").toString());
    // the good night after the drift one compared clean: no feature drifted by noise alone
    JsonNode clean = JSON.readTree(registry.resolve("fashion/runs/2026-12-05/data_checks.json").toFile());
    assertEquals(0, clean.get("drift").get("features_drifted").asInt(), clean.get("drift").toString());
    JsonNode rejected = ledger("2026-12-04");
    assertEquals(2, rejected.get("version").asInt());
    assertEquals(1, rejected.get("champion_after").asInt());
    assertTrue(rejected.get("reasons").get(0).asText().startsWith("FAIL accuracy"), rejected.toString());
    JsonNode last = ledger("2026-12-05");
    assertEquals(3, last.get("version").asInt());
    assertEquals("fashion@1", last.get("warm_start").asText());
    assertEquals(1, last.get("champion_before").asInt());
    assertEquals(3, last.get("champion_after").asInt());
    assertTrue(last.get("holdout").get("challenger").get("accuracy").asDouble()
        >= last.get("holdout").get("champion").get("accuracy").asDouble(), last.toString());
    // aliases: champion 3, previous 1, challenger 3
    assertEquals(3, alias("champion"));
    assertEquals(1, alias("previous"));
    assertEquals(3, alias("challenger"));
    // the challenger's provenance says what it started from, optimiser state included
    JsonNode prov = JSON.readTree(registry.resolve("fashion/versions/000003/provenance.json").toFile());
    assertTrue(prov.get("warm_start").get("optimizer_state").asBoolean(), prov.toString());
    // nothing secret in the registry: keys stay where they were
    String key = Files.readAllLines(fx.keys.resolve("sparktrain-signing.pem")).get(1);
    try (var files = Files.walk(registry)) {
      assertFalse(files.filter(Files::isRegularFile).anyMatch(p -> read(p).contains(key)));
    }
  }

  /** {@code promtool check metrics} on a textfile (skipped with a message where promtool is not installed). */
  private static void promtoolCheck(Path prom) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/promtool"))) {
      System.out.println("SKIPPED promtool check: /usr/bin/promtool is not installed (Debian package prometheus; "
          + ".ci/run installs it)");
      return;
    }
    Process p = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectInput(prom.toFile())
        .redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "promtool check metrics: " + said);
  }

  private static int alias(String name) throws Exception {
    try (var s = Files.list(registry.resolve("fashion/aliases/" + name))) {
      Path newest = s.filter(p -> p.getFileName().toString().startsWith("g-")).sorted().reduce((a, b) -> b).orElseThrow();
      return JSON.readTree(newest.toFile()).get("version").asInt();
    }
  }

  private static String read(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @Order(2)
  void rerunsAreIdempotentAndAMissingSnapshotIsNoNewData() throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    Cli.Result again;
    Cli.Result none;
    Cli.Result rejectedOk;
    Cli.Result rejected;
    Cli.Result noneOk;
    Cli.Result bogus;
    try {
      again = Cli.run(retrain("2026-12-05"));
      none = Cli.run(retrain("2026-12-06"));
      // what platforms that only know success and failure run (deploy render passes it): 8 and 9 exit 0
      rejected = Cli.run(retrain("2026-12-04", "--succeed-on", "no-new-data"));
      rejectedOk = Cli.run(retrain("2026-12-04", "--succeed-on", "gate-rejected,no-new-data"));
      noneOk = Cli.run(retrain("2026-12-06", "--succeed-on", "no-new-data"));
      bogus = Cli.run(retrain("2026-12-06", "--succeed-on", "failed"));
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(ExitCodes.OK, again.code(), again.err());
    assertTrue(out.contains("2026-12-05: already finished"), out);
    assertEquals(3, registryVersions(), "a rerun registers nothing");
    assertEquals(ExitCodes.NO_NEW_DATA, none.code(), none.err());
    assertEquals("no_new_data", ledger("2026-12-06").get("decision").asText());
    assertEquals(ExitCodes.GATE_REJECTED, rejected.code(), "only the named outcomes exit 0");
    assertEquals(ExitCodes.OK, rejectedOk.code(), rejectedOk.err());
    assertTrue(out.contains("REJECTED (exit 8) reported as success (--succeed-on)"), out);
    assertEquals(ExitCodes.OK, noneOk.code(), noneOk.err());
    assertEquals(ExitCodes.USAGE, bogus.code());
    assertTrue(bogus.err().contains("--succeed-on") && bogus.err().contains("'failed'"), bogus.err());
    assertEquals(3, registryVersions(), "reruns register nothing");
  }

  private static long registryVersions() throws Exception {
    try (var s = Files.list(registry.resolve("fashion/versions"))) {
      return s.filter(Files::isDirectory).count();
    }
  }

  @Test
  @Order(3)
  void predictWithChampionUsesItAndRegistryShowSaysWhy() throws Exception {
    Path out = tmp.resolve("scored");
    Cli.Result p = Cli.run("predict", "--model", "fashion@champion", "--registry", registry.toString(), "--verify-key",
        fx.verifyKey(), "--input", holdout.toString(), "--output", out.toString(),
        "--master", "local[2]");
    assertEquals(0, p.code(), p.err());
    String manifest = Files.readString(registry.resolve("fashion/versions/000003/MANIFEST.json"));
    JsonNode mf = JSON.readTree(manifest);
    String sha = mf.get("files").get("model.zip").get("sha256").asText();
    JsonNode prov = JSON.readTree(out.resolve("_provenance.json").toFile());
    assertEquals(sha, prov.get("model_sha256").asText(), "predictions record the champion's model.zip digest");
    assertTrue(prov.get("model_dir").asText().endsWith("versions/000003"), prov.toString());
    assertEquals(2000, prov.get("rows").asLong());
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, Cli.run("registry", "show", "fashion", "--registry", registry.toString()).code());
      assertEquals(0, Cli.run("registry", "show", "fashion", "2", "--registry", registry.toString(), "--verify-key",
          fx.verifyKey()).code());
      assertEquals(0, Cli.run("registry", "diff", "fashion", "1", "3", "--registry", registry.toString(),
          "--verify-key", fx.verifyKey()).code());
    } finally {
      System.setOut(old);
    }
    String shown = buf.toString(StandardCharsets.UTF_8);
    assertTrue(shown.contains("beat version 1 on the holdout"), shown);
    assertTrue(shown.contains("2026-12-04  rejected"), shown);
    assertTrue(shown.contains("FAIL accuracy"), shown);
    assertTrue(shown.contains("holdout: the same rows"), shown);
  }

  @Test
  @Order(4)
  void rollbackAndATamperedChampionIsRefused() throws Exception {
    String vk = fx.verifyKey();
    assertEquals(0, Cli.run("registry", "rollback", "fashion", "--registry", registry.toString(), "--verify-key", vk)
        .code());
    assertEquals(1, alias("champion"));
    assertEquals(3, alias("previous"));
    assertEquals(0, Cli.run("registry", "promote", "fashion", "3", "--registry", registry.toString(), "--verify-key", vk)
        .code());
    assertEquals(3, alias("champion"));
    Path zip = registry.resolve("fashion/versions/000003/model.zip");
    byte[] bytes = Files.readAllBytes(zip);
    bytes[bytes.length / 2] ^= 1;
    Files.write(zip, bytes);
    Path out = tmp.resolve("scored-tampered");
    Cli.Result p = Cli.run("predict", "--model", "fashion@champion", "--registry", registry.toString(), "--verify-key",
        vk, "--input", holdout.toString(), "--output", out.toString(), "--master", "local[2]");
    assertEquals(ExitCodes.UNVERIFIED, p.code(), p.err());
    assertTrue(p.err().contains("000003/model.zip") && p.err().contains("does not match the manifest"), p.err());
    assertFalse(Files.exists(out));
    // promote refuses it too
    Cli.Result promote = Cli.run("registry", "promote", "fashion", "3", "--alias", "staging", "--registry",
        registry.toString(), "--verify-key", vk);
    assertEquals(ExitCodes.UNVERIFIED, promote.code(), promote.err());
  }

  @Test
  @Order(5)
  void theWarmStartedChallengerBeatsAFreshModelOnTheSameSnapshot() throws Exception {
    // night 5's challenger started from champion 1 and trained one epoch on night 5's rows; a fresh model
    // trains the same epoch on the same rows from the seeded initialisation
    Path fresh = tmp.resolve("fresh");
    Cli.Result t = Cli.run("train", "--config", Cli.conf("nightly-retrain.yaml"), "--output", fresh.toString(),
        "--set", "data.train.path=" + fx.events.resolve("dt=2026-12-05"), "--master", "local[2]");
    assertEquals(0, t.code(), t.err());
    Path eval = tmp.resolve("fresh-eval");
    Cli.Result e = Cli.run("evaluate", "--model", fresh.toString(), "--input", holdout.toString(), "--output",
        eval.toString(), "--master", "local[2]");
    assertEquals(0, e.code(), e.err());
    double freshAcc = JSON.readTree(eval.resolve("evaluation.json").toFile()).get("accuracy").asDouble();
    double warmAcc = ledger("2026-12-05").get("holdout").get("challenger").get("accuracy").asDouble();
    System.out.printf("warm start: holdout accuracy warm %.4f vs fresh %.4f%n", warmAcc, freshAcc);
    assertTrue(warmAcc > freshAcc, "warm " + warmAcc + " vs fresh " + freshAcc);
  }

  @Test
  @Order(6)
  void listAndGcKeepAliasedVersions() throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, Cli.run("registry", "list", "fashion", "--registry", registry.toString()).code());
      assertEquals(0, Cli.run("registry", "gc", "fashion", "--keep", "1", "--dry-run", "--registry",
          registry.toString()).code());
      assertEquals(3, registryVersions(), "a dry run deletes nothing");
      assertEquals(0, Cli.run("registry", "gc", "fashion", "--keep", "1", "--registry", registry.toString()).code());
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertTrue(out.matches("(?s).*\\n2 +\\S+ +2026-12-04 +rejected +0\\.5105 +\\n.*"), out);
    assertTrue(out.contains("would delete versions [2]") && out.contains("deleted versions [2]"), out);
    // version 1 is previous, 3 champion and challenger: both stay
    assertEquals(2, registryVersions());
    assertEquals(3, alias("champion"));
  }
}
