package org.sparktrain.driver.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TrainingRun;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.spark.SparkSettings;
import org.sparktrain.driver.train.FaultInjection;
import org.sparktrain.driver.train.RoundStats;
import org.sparktrain.driver.train.TrainingListener;
import org.sparktrain.kernels.data.FashionMnist;

/**
 * A real run on a local[2] context with Spark's UI and PrometheusServlet on, as the launcher sets
 * them: the page Spark serves shows sparktrain's gauges, counters and the forwarded executor sample
 * while training; a replica slowed in every round is flagged in metrics.json; evaluation.json agrees
 * with metrics.json.
 */
class MonitorTest {
  /** Spark's PrometheusServlet name of a driver metric of the plugin. */
  static final String PREFIX = "metrics_sparktrain_driver_plugin_org_sparktrain_driver_monitor_MonitorPlugin_";
  private static JavaSparkContext sc;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    sc = uiContext("sparktrain-monitor-test", 200);
  }

  /**
   * A local[2] context as the launcher configures it, with Spark's UI (and so the PrometheusServlet)
   * on a free loopback port and executor samples every {@code sampleMillis}.
   */
  static JavaSparkContext uiContext(String name, int sampleMillis) {
    return new JavaSparkContext(SparkSettings.withDefaults(new SparkConf().setMaster("local[2]")
        .setAppName(name).set("spark.ui.enabled", "true").set("spark.ui.port", "0")
        .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
        .set(MonitorPlugin.INTERVAL_KEY, String.valueOf(sampleMillis))));
  }

  @AfterAll
  static void stop() {
    FaultInjection.clear();
    sc.stop();
  }

  static String scrape(JavaSparkContext sc) throws Exception {
    String url = sc.sc().uiWebUrl().get() + "/metrics/prometheus/";
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url);
    return r.body();
  }

  /** The value of {@code name} (a full Prometheus series name) on a scraped page, NaN when absent. */
  static double value(String page, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*\\} (\\S+)$").matcher(page);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  static TrainConfig config(Path out, String... sets) throws Exception {
    List<String> all = new ArrayList<>(List.of(
        "data.train.images=" + FashionMnist.uri("train-images-idx3-ubyte.gz"),
        "data.train.labels=" + FashionMnist.uri("train-labels-idx1-ubyte.gz"),
        "data.test.images=" + FashionMnist.uri("t10k-images-idx3-ubyte.gz"),
        "data.test.labels=" + FashionMnist.uri("t10k-labels-idx1-ubyte.gz"),
        "output.dir=" + out));
    all.addAll(List.of(sets));
    Path root = Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath().normalize();
    try (InputStream in = Files.newInputStream(root.resolve("conf/fashion-mnist-mlp.yaml"))) {
      return ConfigLoader.load("fashion-mnist-mlp.yaml", in, all);
    }
  }

  @Test
  void sparkServesTheRunsMetricsAndTheHealthReportFlagsTheStraggler() throws Exception {
    Path out = tmp.resolve("run");
    TrainConfig cfg = config(out, "data.limit.train=6000", "data.limit.test=2000", "data.partitions=2",
        "training.epochs=2", "averaging.frequency=5", "checkpoint.every_rounds=3");
    FaultInjection.slowAlways(1, 40);
    String[] during = new String[1];
    TrainingListener scraper = new TrainingListener() {
      @Override
      public void onRound(RoundStats s, int total, double elapsed, long examples) {
        if (s.round() != total - 2) {
          return;
        }
        try {
          // the executor forwards a sample every 200 ms: wait for the first (at most 5 s)
          for (int i = 0; i < 50 && !LiveMetrics.get().executors().containsKey("driver"); i++) {
            Thread.sleep(100);
          }
          during[0] = scrape(sc);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
    TrainingRun.Summary summary = TrainingRun.run(sc, cfg, false, new PrintStream(new ByteArrayOutputStream()),
        List.of(scraper));
    String page = during[0];
    assertNotNull(page, "no scrape during training");
    int rounds = ((Number) summary.metrics().get("rounds_total")).intValue();
    assertEquals(rounds - 2, value(page, PREFIX + "round_Value"), page);
    assertEquals(1, value(page, PREFIX + "running_Value"));
    assertEquals(2, value(page, PREFIX + "partitions_Value"));
    assertEquals(5, value(page, PREFIX + "k_Value"));
    assertEquals(8000, value(page, PREFIX + "data_rows_read_Value"));
    double loss = value(page, PREFIX + "loss_Value");
    assertTrue(loss > 0 && loss < 3, "loss " + loss);
    assertTrue(value(page, PREFIX + "rounds_completed_Count") >= rounds - 2);
    assertTrue(value(page, PREFIX + "round_millis_Count") >= 1);
    assertTrue(value(page, PREFIX + "checkpoints_Count") >= 1, "a checkpoint every 3 rounds");
    assertTrue(value(page, PREFIX + "checkpoint_age_seconds_Value") >= 0);
    assertTrue(value(page, PREFIX + "checkpoint_last_seconds_Value") > 0);
    assertTrue(value(page, PREFIX + "samples_per_second_Value") > 0);
    assertTrue(value(page, PREFIX + "executor_driver_steps_Value") > 0, "forwarded executor sample");
    assertTrue(value(page, PREFIX + "executor_driver_physical_bytes_Value") > 0);
    assertTrue(value(page, PREFIX + "executor_driver_step_seconds_Value") > 0);
    assertEquals(-1, value(page, PREFIX + "executor_driver_gpu_Value"));
    for (String name : MonitorPlugin.DRIVER_METRICS) {
      assertTrue(page.contains(PREFIX + name + "_"), name + " not served");
    }

    String after = scrape(sc);
    assertEquals(0, value(after, PREFIX + "running_Value"));
    assertEquals(summary.testAccuracy(), value(after, PREFIX + "test_accuracy_Value"), 1e-9);
    assertTrue(value(after, PREFIX + "stragglers_Value") >= 1);

    ObjectMapper json = new ObjectMapper();
    JsonNode health = json.readTree(out.resolve("metrics.json").toFile()).get("health");
    assertTrue(health.get("stragglers").toString().contains("replica 1"), health.toString());
    JsonNode slow = health.get("replicas").get(1);
    assertTrue(slow.get("straggler").asBoolean() && slow.get("slowness").asDouble() > 1.5, slow.toString());
    assertTrue(!health.get("replicas").get(0).get("straggler").asBoolean());
    JsonNode ex = health.get("executors").get("driver");
    assertTrue(ex.get("physical_bytes_peak").asLong() > 0 && ex.get("heap_used_bytes_peak").asLong() > 0, ex.toString());

    JsonNode cost = json.readTree(out.resolve("metrics.json").toFile()).get("monitoring");
    assertTrue(cost.get("listener_seconds").asDouble() > 0 && cost.get("executor_sampler_cpu_seconds").asDouble() > 0
        && cost.get("executors_sampled").asInt() == 1, cost.toString());
    assertTrue(cost.get("training_share").isNumber() && cost.get("sampler_cpu_share").isNumber(), cost.toString());

    JsonNode eval = json.readTree(out.resolve("evaluation.json").toFile());
    assertEquals(summary.testAccuracy(), eval.get("accuracy").asDouble(), 1e-12);
    long total = 0;
    long diagonal = 0;
    for (int i = 0; i < 10; i++) {
      for (int j = 0; j < 10; j++) {
        total += eval.get("confusion_matrix").get(i).get(j).asLong();
        diagonal += i == j ? eval.get("confusion_matrix").get(i).get(j).asLong() : 0;
      }
    }
    assertEquals(2000, total);
    assertEquals(summary.testAccuracy(), diagonal / 2000.0, 1e-12);
    assertEquals(10, eval.get("per_class").size());
  }
}
