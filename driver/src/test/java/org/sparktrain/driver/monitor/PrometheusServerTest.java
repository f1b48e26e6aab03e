package org.sparktrain.driver.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TrainingRun;

/**
 * A real Prometheus server (Debian's {@code prometheus}, on loopback, scraping every 250 ms) against
 * a live training run's driver UI: its query API returns sparktrain's series, the loss falls over
 * the run and the round count rises; {@code promtool check metrics} parses the page Spark serves.
 * Skipped, saying so, where the package is not installed ({@code bin/ensure-deps} installs it).
 */
class PrometheusServerTest {
  private static final String PROMETHEUS = "/usr/bin/prometheus";
  private static final String PROMTOOL = "/usr/bin/promtool";
  private static JavaSparkContext sc;
  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(Files.isExecutable(Path.of(PROMETHEUS)) && Files.isExecutable(Path.of(PROMTOOL)),
        "skipped: no Prometheus server (" + PROMETHEUS + "); apt-get install prometheus (bin/ensure-deps does)");
    sc = MonitorTest.uiContext("sparktrain-prometheus-test", 250);
  }

  @AfterAll
  static void stop() {
    if (sc != null) {
      sc.stop();
    }
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static JsonNode api(int port, String query) throws Exception {
    String url = "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new ObjectMapper().readTree(r.body()).get("data").get("result");
  }

  /** The finite values of a range query's only series, oldest first. */
  private static List<Double> series(int port, String name) throws Exception {
    return series(port, name, "[10m]");
  }

  private static List<Double> series(int port, String expr, String range) throws Exception {
    JsonNode result = api(port, expr + range);
    List<Double> v = new ArrayList<>();
    if (result.isEmpty()) {
      return v;
    }
    for (JsonNode p : result.get(0).get("values")) {
      double x = Double.parseDouble(p.get(1).asText());
      if (Double.isFinite(x)) {
        v.add(x);
      }
    }
    return v;
  }

  @Test
  void prometheusScrapesALiveRunAndSeesTheLossFall() throws Exception {
    String ui = sc.sc().uiWebUrl().get();
    String target = URI.create(ui).getHost() + ":" + URI.create(ui).getPort();
    int port = freePort();
    Path config = tmp.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 250ms",
        "  scrape_timeout: 200ms",
        "scrape_configs:",
        "  - job_name: sparktrain",
        "    metrics_path: /metrics/prometheus/",
        "    static_configs:",
        "      - targets: ['" + target + "']",
        ""));
    Process prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + config,
        "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
    try {
      waitReady(port);
      waitScraped(port); // Prometheus offsets a target's first scrape within the interval: let it happen before training
      String round = MonitorTest.PREFIX + "round_Value";
      String loss = MonitorTest.PREFIX + "loss_Value";
      String running = MonitorTest.PREFIX + "running_Value";
      TrainingRun.Summary s = TrainingRun.run(sc, MonitorTest.config(tmp.resolve("run"), "data.limit.train=12000",
              "data.limit.test=2000", "data.partitions=2", "training.epochs=3", "averaging.frequency=4",
              "checkpoint.every_rounds=0", "checkpoint.every_minutes=0"),
          false, new PrintStream(new ByteArrayOutputStream()), List.of());
      // wait for a scrape after the run ended
      long deadline = System.nanoTime() + 15_000_000_000L;
      List<Double> runningValues = series(port, running);
      while ((runningValues.isEmpty() || runningValues.get(runningValues.size() - 1) != 0)
          && System.nanoTime() < deadline) {
        Thread.sleep(250);
        runningValues = series(port, running);
      }
      assertTrue(runningValues.contains(1.0) && runningValues.get(runningValues.size() - 1) == 0,
          "running went 1 -> 0: " + runningValues);
      // the samples scraped while this run trained (the gauges kept an earlier run's figures before it)
      List<Double> rounds = series(port, "(" + round + " and " + running + " == 1)", "[10m:250ms]");
      List<Double> losses = series(port, "(" + loss + " and " + running + " == 1)", "[10m:250ms]");
      assertTrue(losses.size() >= 4, "loss samples while training: " + losses + "\n" + log());
      assertTrue(losses.get(losses.size() - 1) < losses.get(0), "loss fell over the run: " + losses);
      for (int i = 1; i < rounds.size(); i++) {
        assertTrue(rounds.get(i) >= rounds.get(i - 1), "round never goes back: " + rounds);
      }
      assertEquals(((Number) s.metrics().get("rounds_total")).doubleValue(), series(port, round).get(series(port, round)
          .size() - 1), "the last round stays after the run");
      JsonNode up = api(port, "up{job=\"sparktrain\"}");
      assertEquals("1", up.get(0).get("value").get(1).asText());
      JsonNode steps = api(port, MonitorTest.PREFIX + "executor_driver_steps_Value");
      assertTrue(Double.parseDouble(steps.get(0).get("value").get(1).asText()) > 0, "forwarded executor series");
      JsonNode acc = api(port, MonitorTest.PREFIX + "test_accuracy_Value");
      assertEquals(s.testAccuracy(), Double.parseDouble(acc.get(0).get("value").get(1).asText()), 1e-6);

      // promtool parses Spark's page; it only lints what Spark's naming scheme makes: no HELP text
      // (Spark writes none) and camelCase (the plugin's class name in every name); Spark's own
      // sources have more (units in names), not ours to fix
      Path page = tmp.resolve("page.txt");
      Files.writeString(page, MonitorTest.scrape(sc));
      Process check = new ProcessBuilder(PROMTOOL, "check", "metrics").redirectInput(page.toFile())
          .redirectErrorStream(true).start();
      String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int code = check.waitFor();
      assertNotEquals(1, code, "promtool could not parse the page: " + said);
      assertTrue(said.contains(MonitorTest.PREFIX + "loss_Value no help text"), said);
      for (String line : said.lines().filter(l -> l.startsWith(MonitorTest.PREFIX)).toList()) {
        assertTrue(line.endsWith("no help text") || line.endsWith("should be written in 'snake_case' not 'camelCase'"),
            "promtool: " + line);
      }
    } finally {
      prometheus.destroy();
      prometheus.waitFor();
    }
  }

  private void waitReady(int port) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("Prometheus did not become ready: " + log());
  }

  private void waitScraped(int port) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      JsonNode up = api(port, "up{job=\"sparktrain\"}");
      if (!up.isEmpty() && "1".equals(up.get(0).get("value").get(1).asText())) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("Prometheus never scraped the driver: " + log());
  }

  private String log() throws java.io.IOException {
    return Files.readString(tmp.resolve("prometheus.log"));
  }
}
