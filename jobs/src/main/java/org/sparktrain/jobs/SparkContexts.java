package org.sparktrain.jobs;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.spark.Preflight;
import org.sparktrain.driver.spark.SparkSettings;

/** Creates the job's Spark context: spark-submit's settings, sparktrain's defaults, an optional --master. */
final class SparkContexts {
  private SparkContexts() {}

  static JavaSparkContext create(String appName, String master) {
    return create(appName, master, true);
  }

  /** @param metrics {@code monitoring.metrics}: load the monitor plugin and Spark's PrometheusServlet */
  static JavaSparkContext create(String appName, String master, boolean metrics) {
    SparkConf conf = SparkSettings.withDefaults(new SparkConf().setAppName(appName), metrics);
    if (master != null) {
      conf.setMaster(master);
    }
    if (!conf.contains("spark.master")) {
      throw new ConfigException("--master", "no Spark master set: submit with spark-submit, use bin/sparktrain, "
          + "or pass --master local[*]");
    }
    // A driver launched by a standalone Worker (--deploy-mode cluster) receives the cluster secret in
    // the environment, but Spark requires it in the driver's conf.
    String secret = System.getenv("_SPARK_AUTH_SECRET");
    if (conf.getBoolean("spark.authenticate", false) && !conf.contains("spark.authenticate.secret")
        && secret != null && !secret.isEmpty()) {
      conf.set("spark.authenticate.secret", secret);
    }
    Preflight.checkConf(conf);
    return new JavaSparkContext(conf);
  }
}
