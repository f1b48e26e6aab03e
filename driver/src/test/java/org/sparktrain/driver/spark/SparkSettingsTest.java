package org.sparktrain.driver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.train.RoundService;

/** What sparktrain adds to a Spark configuration, and what it leaves alone. */
class SparkSettingsTest {
  private static final String PLUGIN = RoundService.class.getName();

  @Test
  void thePluginForStreamedRoundsIsAddedOnceAndAfterTheUsersOwn() {
    assertEquals(PLUGIN, SparkSettings.withDefaults(new SparkConf(false)).get("spark.plugins"));
    SparkConf own = new SparkConf(false).set("spark.plugins", "com.example.Metrics");
    assertEquals("com.example.Metrics," + PLUGIN, SparkSettings.withDefaults(own).get("spark.plugins"));
    SparkConf twice = SparkSettings.withDefaults(SparkSettings.withDefaults(
        new SparkConf(false).set("spark.plugins", "com.example.A, " + PLUGIN)));
    assertEquals("com.example.A, " + PLUGIN, twice.get("spark.plugins"), "already named: left as written");
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
