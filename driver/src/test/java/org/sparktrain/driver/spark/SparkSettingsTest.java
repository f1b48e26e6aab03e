package org.sparktrain.driver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.train.RoundService;

/** What sparktrain adds to a Spark configuration, and what it leaves alone. */
class SparkSettingsTest {
  private static final String PLUGIN = RoundService.class.getName();

  private static final String MONITOR = org.sparktrain.driver.monitor.MonitorPlugin.CLASS;

  @Test
  void thePluginsAreAddedOnceAndAfterTheUsersOwn() {
    assertEquals(PLUGIN + "," + MONITOR, SparkSettings.withDefaults(new SparkConf(false)).get("spark.plugins"));
    assertEquals(PLUGIN, SparkSettings.withDefaults(new SparkConf(false), false).get("spark.plugins"),
        "monitoring.metrics: false leaves the monitor out");
    SparkConf own = new SparkConf(false).set("spark.plugins", "com.example.Metrics");
    assertEquals("com.example.Metrics," + PLUGIN + "," + MONITOR, SparkSettings.withDefaults(own).get("spark.plugins"));
    SparkConf twice = SparkSettings.withDefaults(SparkSettings.withDefaults(
        new SparkConf(false).set("spark.plugins", "com.example.A, " + PLUGIN)));
    assertEquals("com.example.A, " + PLUGIN + "," + MONITOR, twice.get("spark.plugins"), "already named: left as written");
    assertEquals(MONITOR, SparkSettings.MONITOR_PLUGIN);
  }

  @Test
  void prometheusServletIsOnUnderTheSparktrainNamespaceUnlessTheUserConfiguredMetrics() {
    SparkConf c = SparkSettings.withDefaults(new SparkConf(false));
    assertEquals("true", c.get("spark.ui.prometheus.enabled"));
    assertEquals("sparktrain", c.get("spark.metrics.namespace"));
    assertEquals("org.apache.spark.metrics.sink.PrometheusServlet",
        c.get("spark.metrics.conf.*.sink.prometheusServlet.class"));
    assertEquals("/metrics/prometheus", c.get("spark.metrics.conf.*.sink.prometheusServlet.path"));
    SparkConf mine = SparkSettings.withDefaults(new SparkConf(false).set("spark.metrics.namespace", "team-a"));
    assertEquals("team-a", mine.get("spark.metrics.namespace"));
    assertEquals(false, SparkSettings.withDefaults(new SparkConf(false), false).contains("spark.metrics.namespace"));
  }

  @Test
  void theUsersChoicesWin() {
    SparkConf c = SparkSettings.withDefaults(new SparkConf(false)
        .set("spark.serializer", "org.apache.spark.serializer.JavaSerializer")
        .set("spark.kryo.unsafe", "false"));
    assertEquals("org.apache.spark.serializer.JavaSerializer", c.get("spark.serializer"));
    assertEquals("false", c.get("spark.kryo.unsafe"));
    assertEquals("false", c.get("spark.speculation"));
  }
}
