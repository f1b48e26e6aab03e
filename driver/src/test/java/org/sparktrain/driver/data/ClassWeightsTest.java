package org.sparktrain.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.driver.TrainingRun;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;

/** {@code training.class_weights}: the weights, their errors, and what they do to an imbalanced table. */
class ClassWeightsTest extends SparkTestBase {
  @TempDir
  Path tmp;

  @Test
  void balancedIsScikitLearnsFormulaAndAMapNamesClasses() {
    assertArrayEquals(new double[] {100.0 / (2 * 90), 100.0 / (2 * 10)},
        ClassWeights.of("balanced", List.of(), new long[] {90, 10}), 1e-12);
    // a class absent from the training data keeps weight 1
    assertArrayEquals(new double[] {1, 10.0 / 15, 10.0 / 15}, ClassWeights.of("balanced", List.of(),
        new long[] {0, 5, 5}), 1e-12);
    assertArrayEquals(new double[] {1, 4}, ClassWeights.of(Map.of("rare", 4), List.of("common", "rare"),
        new long[] {90, 10}), 1e-12);
    assertArrayEquals(new double[] {2.5, 1}, ClassWeights.of(Map.of("0", 2.5), List.of(), new long[] {5, 5}), 1e-12);
    assertNull(ClassWeights.of("none", List.of(), new long[] {1, 1}));
    ConfigException e = assertThrows(ConfigException.class, () -> ClassWeights.of(Map.of("unicorn", 2),
        List.of("common", "rare"), new long[] {1, 1}));
    assertEquals("training.class_weights", e.key());
    assertTrue(e.getMessage().contains("'unicorn'") && e.getMessage().contains("[common, rare]"), e.getMessage());
    ConfigException bad = assertThrows(ConfigException.class, () -> ConfigLoader.load("t", null,
        List.of("training.class_weights=heavy")));
    assertEquals("training.class_weights", bad.key());
    ConfigException negative = assertThrows(ConfigException.class, () -> ConfigLoader.load("t", null,
        List.of("training.class_weights={rare: -1}")));
    assertTrue(negative.getMessage().contains("weight of class 'rare' is -1"), negative.getMessage());
  }

  @Test
  void balancedWeightsRaiseTheRareClassRecallOnAnImbalancedTable() throws Exception {
    StructType schema = new StructType().add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType)
        .add("label", DataTypes.StringType);
    Random r = new Random(11);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      boolean rare = i % 20 == 0; // 5 %
      rows.add(RowFactory.create(r.nextGaussian() * 0.8 + (rare ? 1.0 : 0), r.nextGaussian() * 0.8 + (rare ? 1.0 : 0),
          rare ? "rare" : "common"));
    }
    String train = tmp.resolve("train").toString();
    DataSources.session(sc).createDataFrame(rows, schema).repartition(2).write().parquet(train);
    Map<String, Double> recall = new LinkedHashMap<>();
    for (String w : List.of("none", "balanced")) {
      Path out = tmp.resolve("run-" + w);
      TrainConfig cfg = ConfigLoader.load("t", null, List.of("data.format=parquet", "data.train.path=" + train,
          "data.test.fraction=0.3", "data.features=[x, y]", "data.label=label", "data.num_classes=2",
          "data.partitions=2", "model.layers=[{type: dense, units: 8, activation: relu}, {type: output}]",
          "training.epochs=4", "training.batch_size=32", "averaging.frequency=5", "optimizer.learning_rate=0.01",
          "checkpoint.every_minutes=0", "training.class_weights=" + w, "output.dir=" + out));
      TrainingRun.run(sc, cfg, false, new PrintStream(new ByteArrayOutputStream()), List.of());
      JsonNode e = new ObjectMapper().readTree(out.resolve("evaluation.json").toFile());
      recall.put(w, e.get("per_class").get(1).get("recall").asDouble()); // classes sorted: common, rare
      JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
      if (w.equals("balanced")) {
        // about 5 % rare in the 70 % kept for training: n / (2 n_rare) near 10, n / (2 n_common) near 0.53
        assertTrue(m.get("class_weights").get(1).asDouble() > 5, m.get("class_weights").toString());
        assertTrue(m.get("class_weights").get(0).asDouble() < 1, m.get("class_weights").toString());
      } else {
        assertTrue(m.get("class_weights") == null);
      }
    }
    assertTrue(recall.get("balanced") > recall.get("none") + 0.2, "rare-class recall: " + recall);
  }
}
