package org.sparktrain.driver.spark;

import org.apache.spark.SparkConf;

/** Spark settings sparktrain needs, applied only where the user has not set them. */
public final class SparkSettings {
  private SparkSettings() {}

  /** {@code org.sparktrain.driver.monitor.MonitorPlugin}, named here so this package needs nothing of the monitor's. */
  public static final String MONITOR_PLUGIN = "org.sparktrain.driver.monitor.MonitorPlugin";

  /** {@link #withDefaults(SparkConf, boolean)} with sparktrain's metrics on. */
  public static SparkConf withDefaults(SparkConf conf) {
    return withDefaults(conf, true);
  }

  /**
   * Kryo with the ND4J + sparktrain registrator, the plugins, and (with {@code metrics}) Spark's
   * PrometheusServlet on the driver UI at {@code /metrics/prometheus} under the namespace
   * {@code sparktrain}, unless the user chose otherwise.
   */
  public static SparkConf withDefaults(SparkConf conf, boolean metrics) {
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    conf.setIfMissing("spark.kryo.registrator", SparkTrainKryoRegistrator.class.getName());
    conf.setIfMissing("spark.kryoserializer.buffer.max", "512m");
    // Unsafe-based Kryo streams copy float arrays (parameters, updater state) in one memory copy
    // each way (FastSerializers); MLP 1 epoch local[2]: 19,856 vs 18,830 samples/s (medians of 3).
    // Values travel in the machine's byte order, so driver and executors must share it (x86-64 and
    // ARM64 are both little-endian).
    conf.setIfMissing("spark.kryo.unsafe", "true");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    // Parameter vectors are incompressible floats: compressing broadcasts only costs time.
    conf.setIfMissing("spark.broadcast.compress", "false");
    // Replica results (parameters + updater state, a few MB) come back with the task status
    // instead of through a second block-manager fetch.
    conf.setIfMissing("spark.task.maxDirectResultSize", String.valueOf(64L << 20));
    // Streamed rounds (averaging.transport: stream) talk to the driver through this plugin.
    addPlugin(conf, org.sparktrain.driver.task.RoundClient.PLUGIN_CLASS);
    if (metrics) {
      addPlugin(conf, MONITOR_PLUGIN);
      conf.setIfMissing("spark.ui.prometheus.enabled", "true");
      conf.setIfMissing("spark.metrics.namespace", "sparktrain");
      conf.setIfMissing("spark.metrics.conf.*.sink.prometheusServlet.class",
          "org.apache.spark.metrics.sink.PrometheusServlet");
      conf.setIfMissing("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus");
    }
    // A duplicated training task would be averaged twice.
    conf.setIfMissing("spark.speculation", "false");
    return conf;
  }

  private static void addPlugin(SparkConf conf, String plugin) {
    String plugins = conf.get("spark.plugins", "").trim();
    if (!java.util.Arrays.asList(plugins.split("\\s*,\\s*")).contains(plugin)) {
      conf.set("spark.plugins", plugins.isEmpty() ? plugin : plugins + "," + plugin);
    }
  }
}
