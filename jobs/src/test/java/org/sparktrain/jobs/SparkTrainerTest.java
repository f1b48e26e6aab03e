package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.ml.SparkTrainModel;
import org.sparktrain.driver.ml.SparkTrainer;
import org.sparktrain.driver.spark.SparkSettings;
import org.sparktrain.kernels.model.Networks;
import org.sparktrain.kernels.train.FloatArrays;

/**
 * The Spark ML Estimator: trained on a DataFrame of the same Parquet table with the same config, it
 * gives the CLI's model bit for bit and the same test predictions; it reloads and transforms
 * identically; it runs inside a Pipeline after a VectorAssembler, saved and loaded.
 */
class SparkTrainerTest {
  @TempDir
  static Path tmp;
  private static Path train;
  private static Path test;
  private static Path run;
  private static SparkSession spark;
  private static final String FM = "/usr/share/datasets/fashion-mnist/";

  @BeforeAll
  static void cliRunThenSpark() {
    train = tmp.resolve("train");
    test = tmp.resolve("test");
    assertEquals(0, Cli.run("export-table", "--images", FM + "train-images-idx3-ubyte.gz", "--labels",
        FM + "train-labels-idx1-ubyte.gz", "--limit", "4000", "--fashion-names", "--output", train.toString(),
        "--master", "local[2]").code());
    assertEquals(0, Cli.run("export-table", "--images", FM + "t10k-images-idx3-ubyte.gz", "--labels",
        FM + "t10k-labels-idx1-ubyte.gz", "--limit", "1000", "--fashion-names", "--output", test.toString(),
        "--master", "local[2]").code());
    run = tmp.resolve("run");
    Cli.Result r = Cli.run("train", "--config", Cli.conf("fashion-mnist-table.yaml"), "--output", run.toString(),
        "--set", "data.train.path=" + train, "--set", "data.test.path=" + test, "--set", "training.epochs=1",
        "--set", "data.partitions=2", "--master", "local[2]");
    assertEquals(0, r.code(), r.err());
    // the CLI's contexts are stopped: this class's own starts now
    spark = SparkSession.builder().sparkContext(new JavaSparkContext(SparkSettings.withDefaults(new SparkConf()
        .setMaster("local[2]").setAppName("spark-trainer-test").set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"))).sc()).getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static SparkTrainer sameAsTheCli() throws Exception {
    return new SparkTrainer().setConfigYaml(Files.readString(Path.of(Cli.conf("fashion-mnist-table.yaml"))))
        .setConfig(List.of("training.epochs=1", "data.partitions=2")).setFeaturesCol("pixels").setLabelCol("label")
        .setNumClasses(10);
  }

  @Test
  void theEstimatorTrainsTheCliModelBitForBitAndPredictsTheSame() throws Exception {
    SparkTrainModel model = sameAsTheCli().fit(spark.read().parquet(train.toString()));
    float[] mine = FloatArrays.flat(model.network().params());
    float[] cli;
    try (InputStream in = new FileInputStream(run.resolve("model.zip").toFile())) {
      cli = FloatArrays.flat(Networks.restore(in, "model.zip").params());
    }
    assertArrayEquals(cli, mine, "same engine, rows, order and seed: the same parameters");

    Dataset<Row> scored = model.transform(spark.read().parquet(test.toString()));
    assertEquals(List.of("id", "pixels", "label", "prediction", "probability"), List.of(scored.columns()));
    double accuracy = scored.filter("prediction = label").count() / 1000.0;
    double cliAccuracy = new ObjectMapper().readTree(run.resolve("metrics.json").toFile()).get("test_accuracy").asDouble();
    assertEquals(cliAccuracy, accuracy, 1e-12);

    Path saved = tmp.resolve("saved-model");
    model.write().save(saved.toString());
    SparkTrainModel back = SparkTrainModel.load(saved.toString());
    List<Row> a = scored.select("id", "prediction", "probability").orderBy("id").collectAsList();
    List<Row> b = back.transform(spark.read().parquet(test.toString())).select("id", "prediction", "probability")
        .orderBy("id").collectAsList();
    assertEquals(a, b, "reloaded, it transforms identically");
    assertTrue(Files.exists(saved.resolve("data/features.json")) && Files.exists(saved.resolve("metadata")));
  }

  @Test
  void worksInAPipelineAfterAVectorAssemblerAndSurvivesSaveAndLoad() throws Exception {
    StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType)
        .add("c", DataTypes.DoubleType).add("label", DataTypes.IntegerType);
    Random rnd = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      int y = i % 3;
      rows.add(RowFactory.create(y + rnd.nextGaussian() * 0.3, -y + rnd.nextGaussian() * 0.3, rnd.nextGaussian(), y));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(2);
    VectorAssembler assemble = new VectorAssembler().setInputCols(new String[] {"a", "b", "c"}).setOutputCol("features");
    SparkTrainer trainer = new SparkTrainer().setFeaturesCol("features").setLabelCol("label").setNumClasses(3)
        .setConfig(List.of("model.layers=[{type: dense, units: 16, activation: relu}, {type: output, activation: "
            + "softmax, loss: mcxent}]", "training.epochs=10", "training.batch_size=32", "data.partitions=2",
            "optimizer.learning_rate=0.01",
            "data.normalize=standard", "averaging.frequency=5"));
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {assemble, trainer}).fit(df);
    Dataset<Row> out = fitted.transform(df);
    double accuracy = out.filter("prediction = label").count() / 2000.0;
    assertTrue(accuracy > 0.9, "separable blobs: " + accuracy);
    Path saved = tmp.resolve("pipeline");
    fitted.write().save(saved.toString());
    PipelineModel back = PipelineModel.load(saved.toString());
    assertEquals(out.select("prediction").collectAsList(), back.transform(df).select("prediction").collectAsList());
  }
}
