package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Bad retrain and registry input: one line naming the key or option, exit 2, before Spark starts. */
class RetrainConfigTest {
  private static Cli.Result retrain(String... extra) {
    String[] base = {"retrain", "--config", Cli.conf("nightly-retrain.yaml"), "--master", "local[1]"};
    String[] a = new String[base.length + extra.length];
    System.arraycopy(base, 0, a, 0, base.length);
    System.arraycopy(extra, 0, a, base.length, extra.length);
    return Cli.run(a);
  }

  private static void refused(Cli.Result r, String... parts) {
    assertEquals(ExitCodes.USAGE, r.code(), r.err());
    for (String p : parts) {
      assertTrue(r.err().contains(p), "'" + p + "' in: " + r.err());
    }
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void badDatesGateRulesAndMissingSettingsNameTheKey() {
    refused(retrain("--date", "2026-13-45"), "--date", "YYYY-MM-DD");
    refused(retrain("--set", "retrain.gate=[{metric: acc, threshold: 0.5}]"), "retrain.gate[0].metric", "accuracy");
    refused(retrain("--set", "retrain.gate=[{metric: accuracy}]"), "retrain.gate[0]", "checks nothing");
    refused(retrain("--set", "retrain.gate=[{metric: accuracy, floor: 0.5}]"), "floor", "unknown key");
    refused(retrain("--set", "registry.model=null"), "registry.model", "required");
    refused(retrain("--set", "registry.model=Fraud Model"), "registry.model", "not allowed");
    refused(retrain("--set", "retrain.drift.action=ignore"), "retrain.drift.action", "fail, warn");
    refused(retrain("--set", "retrain.time_zone=Mars/Olympus"), "retrain.time_zone", "not a time zone");
    refused(retrain("--set", "data.format=idx", "--set", "data.train.images=a", "--set", "data.train.labels=b",
        "--set", "data.test.images=c", "--set", "data.test.labels=d", "--set", "data.test.fraction=null"),
        "data.format", "table snapshots");
    refused(retrain("--set", "engine=single"), "retrain.warm_start", "engine 'single'");
  }

  @Test
  void registryCommandsNeedARegistryAndAKnownVersion(@org.junit.jupiter.api.io.TempDir Path tmp) {
    Cli.Result r = Cli.run("registry", "list");
    if (System.getenv("SPARKTRAIN_REGISTRY") == null) {
      refused(r, "--registry");
    }
    Cli.Result show = Cli.run("registry", "show", "fashion", "champion", "--registry", tmp.toString());
    refused(show, "no alias 'champion'");
    Cli.Result verify = Cli.run("registry", "list", "fashion", "--registry", tmp.toString(), "--verify", "maybe");
    refused(verify, "--verify", "require, warn");
  }
}
