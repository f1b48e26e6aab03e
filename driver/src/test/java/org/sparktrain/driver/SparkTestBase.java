package org.sparktrain.driver;

import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.sparktrain.driver.spark.SparkSettings;
import org.sparktrain.kernels.data.FashionMnist;

/** One real {@code local[2]} Spark context per test class, with sparktrain's Kryo settings. */
public abstract class SparkTestBase {
  protected static JavaSparkContext sc;

  @BeforeAll
  static void startSpark() {
    sc = localContext("local[2]");
  }

  /** A Spark context on {@code master} (e.g. {@code local[2,2]}: retries) with sparktrain's settings, no UI. */
  public static JavaSparkContext localContext(String master) {
    return new JavaSparkContext(SparkSettings.withDefaults(new SparkConf()
        .setMaster(master)
        .setAppName("sparktrain-test")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")));
  }

  @AfterAll
  static void stopSpark() {
    if (sc != null) {
      sc.stop();
      sc = null;
    }
  }

  /** Debian's Fashion-MNIST directory (CI installs dataset-fashion-mnist). */
  protected static Path fashionDir() {
    return FashionMnist.dir();
  }

  protected static String fashion(String name) {
    return FashionMnist.uri(name);
  }

  /** The repository root (for conf/ files). */
  protected static Path repoRoot() {
    return Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath().normalize();
  }
}
