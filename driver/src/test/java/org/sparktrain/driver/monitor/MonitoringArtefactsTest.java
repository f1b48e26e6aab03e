package org.sparktrain.driver.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped monitoring artefacts agree with the code: Prometheus alert rules pass {@code promtool
 * check rules} and their unit tests ({@code promtool test rules}); every series the rules and the
 * Grafana dashboard query is one sparktrain serves; the README lists every metric; a run's
 * metrics.prom passes {@code promtool check metrics} without a lint problem.
 */
class MonitoringArtefactsTest {
  private static final Path ROOT = Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath().normalize();
  private static final Path DIR = ROOT.resolve("deploy/monitoring");
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final Pattern LIVE = Pattern.compile(Pattern.quote(MonitorTest.PREFIX)
      + "([a-z0-9_.+\\\\]+?)_(Value|Count|50thPercentile|99thPercentile|Mean|Max)");
  private static final Pattern RUN = Pattern.compile("\\b(sparktrain_(?:run|gate)_[a-z_]+)");

  private static String promtool(Path dir, Path stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PROMTOOL.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return p.waitFor() + "\n" + out;
  }

  @Test
  void alertRulesPassPromtoolAndTheirUnitTests() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "skipped: no promtool; apt-get install prometheus "
        + "(bin/ensure-deps does)");
    String check = promtool(DIR, null, "check", "rules", "sparktrain-alerts.yml");
    assertTrue(check.startsWith("0\n") && check.contains("SUCCESS: 6 rules found"), check);
    String test = promtool(DIR, null, "test", "rules", "sparktrain-alerts.test.yml");
    assertTrue(test.startsWith("0\n") && test.contains("SUCCESS"), test);
  }

  /** The live metric names a text refers to (executor ones as {@code executor_<id>_name}). */
  private static Set<String> liveNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = LIVE.matcher(text);
    while (m.find()) {
      names.add(m.group(1).replaceAll("^executor_.*?_(?=[a-z]+_?[a-z]*$)", "executor_<id>_"));
    }
    return names;
  }

  private static Set<String> served() {
    Set<String> all = new TreeSet<>(MonitorPlugin.DRIVER_METRICS);
    MonitorPlugin.EXECUTOR_METRICS.forEach(n -> all.add("executor_<id>_" + n));
    return all;
  }

  @Test
  void theRulesAndTheDashboardQueryOnlyWhatSparktrainServes() throws Exception {
    String rules = Files.readString(DIR.resolve("sparktrain-alerts.yml"));
    String dashboard = Files.readString(DIR.resolve("grafana-dashboard.json"));
    new ObjectMapper().readTree(dashboard); // valid JSON
    String textfile = TextfileMetrics.of(Map.of("test_accuracy", 0.9), "d", "sparktrain", 0);
    for (String text : List.of(rules, dashboard)) {
      Set<String> used = liveNames(text.replace("executor_.+_", "executor_x_"));
      assertTrue(!used.isEmpty());
      used.removeAll(served());
      assertEquals(Set.of(), used, "queried but not served");
      Matcher m = RUN.matcher(text);
      while (m.find()) {
        String name = m.group(1);
        assertTrue(textfile.contains("\n" + name + "{") || name.equals("sparktrain_gate_rejected"),
            name + " is not in metrics.prom");
      }
    }
    assertTrue(liveNames(dashboard).size() >= 15, "the dashboard covers the training figures: " + liveNames(dashboard));
  }

  @Test
  void theReadmeListsEveryMetric() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    List<String> missing = new ArrayList<>();
    for (String n : MonitorPlugin.DRIVER_METRICS) {
      if (!readme.contains("`" + n + "`")) {
        missing.add(n);
      }
    }
    for (String n : MonitorPlugin.EXECUTOR_METRICS) {
      if (!readme.contains("`executor_<id>_" + n + "`")) {
        missing.add("executor_<id>_" + n);
      }
    }
    assertEquals(List.of(), missing, "README Monitoring lacks these metric names");
    assertTrue(readme.contains(MonitorTest.PREFIX), "README shows the full Prometheus prefix");
  }

  @Test
  void metricsPromPassesPromtoolWithoutAProblem() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "skipped: no promtool; apt-get install prometheus");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("test_accuracy", 0.8601);
    m.put("training_seconds", 8.25);
    m.put("samples_per_second", 14374.2);
    m.put("rounds_total", 94);
    m.put("rollbacks", 0);
    m.put("health", Map.of("stragglers", List.of("replica 1")));
    String prom = TextfileMetrics.of(m, "s3a://models/\"nightly\"", "sparktrain", 1_764_800_000_000L);
    assertTrue(prom.contains("sparktrain_run_stragglers{run_dir=\"s3a://models/\\\"nightly\\\"\",engine=\"sparktrain\"} 1"),
        prom);
    assertTrue(prom.contains("sparktrain_run_success_timestamp_seconds{") && prom.contains("} 1764800000\n"), prom);
    Path f = Files.createTempFile("metrics", ".prom");
    Files.writeString(f, prom);
    String said = promtool(DIR, f, "check", "metrics");
    assertEquals("0\n", said, "promtool check metrics");
    Files.delete(f);
  }
}
