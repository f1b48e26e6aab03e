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
    SparkConf conf = SparkSettings.withDefaults(new SparkConf().setAppName(appName));
    if (master != null) {
      conf.setMaster(master);
    }
    if (!conf.contains("spark.master")) {
      throw new ConfigException("--master", "no Spark master set: submit with spark-submit, use bin/sparktrain, "
          + "or pass --master local[*]");
    }
    Preflight.checkConf(conf);
    return new JavaSparkContext(conf);
  }
}
