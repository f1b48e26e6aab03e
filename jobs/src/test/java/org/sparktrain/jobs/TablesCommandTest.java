package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables end to end through the CLI, on Fashion-MNIST exported as Parquet: {@code export-table},
 * {@code train} on the table (features.json written), {@code predict} (row count, kept ids,
 * atomic output), {@code evaluate} (equal to the run's own test accuracy), and the bad inputs of
 * predict and evaluate as one line naming the input and column, exit 3, nothing overwritten.
 */
class TablesCommandTest {
  @TempDir
  static Path tmp;
  private static Path train;
  private static Path test;
  private static Path run;

  private static final String IMAGES = "/usr/share/datasets/fashion-mnist/";

  @BeforeAll
  static void exportAndTrain() {
    train = tmp.resolve("fashion-train");
    test = tmp.resolve("fashion-test");
    Cli.Result a = Cli.run("export-table", "--images", IMAGES + "train-images-idx3-ubyte.gz", "--labels",
        IMAGES + "train-labels-idx1-ubyte.gz", "--limit", "6000", "--fashion-names", "--output", train.toString(),
        "--master", "local[2]");
    assertEquals(0, a.code(), a.err());
    Cli.Result b = Cli.run("export-table", "--images", IMAGES + "t10k-images-idx3-ubyte.gz", "--labels",
        IMAGES + "t10k-labels-idx1-ubyte.gz", "--limit", "2000", "--fashion-names", "--output", test.toString(),
        "--master", "local[2]");
    assertEquals(0, b.code(), b.err());
    run = tmp.resolve("run");
    Cli.Result t = Cli.run("train", "--config", Cli.conf("fashion-mnist-table.yaml"), "--output", run.toString(),
        "--set", "data.train.path=" + train, "--set", "data.test.path=" + test, "--set", "training.epochs=2",
        "--set", "data.partitions=2", "--master", "local[2]");
    assertEquals(0, t.code(), t.err());
  }

  /** A short-lived reader (the CLI's commands start and stop their own context in this JVM). */
  private static SparkSession reader() {
    return SparkSession.builder().sparkContext(new JavaSparkContext(new SparkConf().setMaster("local[1]")
        .setAppName("tables-test-reader").set("spark.ui.enabled", "false")).sc()).getOrCreate();
  }

  @Test
  void trainsOnATableAndSavesItsFeatureSpec() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode metrics = json.readTree(run.resolve("metrics.json").toFile());
    assertTrue(metrics.get("test_accuracy").asDouble() > 0.75, metrics.get("test_accuracy").toString());
    assertEquals(6000, metrics.get("train_examples").asLong());
    JsonNode features = json.readTree(run.resolve("features.json").toFile());
    assertEquals("pixels", features.get("columns").get(0).get("name").asText());
    assertEquals(784, features.get("columns").get(0).get("width").asInt());
    assertEquals(List.of("bag", "coat", "dress", "pullover", "sandal", "shirt", "sneaker", "t-shirt", "trouser",
        "ankle-boot").stream().sorted().toList(), json.convertValue(features.get("classes"), List.class));
    JsonNode prov = json.readTree(run.resolve("provenance.json").toFile());
    assertTrue(prov.get("data").get("train_rows").get("sha256").asText().length() == 64, prov.toString());
  }

  @Test
  void predictScoresEveryRowKeepsIdsAndWritesAtomically() throws Exception {
    Path out = tmp.resolve("predictions");
    Cli.Result r = Cli.run("predict", "--model", run.toString(), "--input", test.toString(), "--output", out.toString(),
        "--keep", "id,label", "--master", "local[2]");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertFalse(siblings.anyMatch(p -> p.getFileName().toString().contains(".staging-")), "staging left behind");
    }
    Cli.Result again = Cli.run("predict", "--model", run.toString(), "--input", test.toString(), "--output",
        out.toString(), "--master", "local[2]");
    assertEquals(ExitCodes.OUTPUT_EXISTS, again.code(), again.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")), "kept");

    SparkSession spark = reader();
    try {
      Dataset<Row> p = spark.read().parquet(out.toString());
      assertEquals(List.of("id", "label", "prediction", "probability"), List.of(p.columns()));
      assertEquals(2000, p.count());
      assertEquals(2000, p.select("id").distinct().count());
      long right = p.filter("prediction = label").count();
      JsonNode metrics = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
      assertEquals(metrics.get("test_accuracy").asDouble(), right / 2000.0, 1e-9, "predict agrees with the run's test");
      List<Double> prob = p.first().getList(3);
      assertEquals(1.0, prob.stream().mapToDouble(Double::doubleValue).sum(), 1e-4);
    } finally {
      spark.stop();
    }
  }

  @Test
  void evaluateOnTheTestTableEqualsTheRunsOwnEvaluation() throws Exception {
    Path out = tmp.resolve("eval");
    Cli.Result r = Cli.run("evaluate", "--model", run.toString(), "--input", test.toString(), "--output", out.toString(),
        "--master", "local[2]");
    assertEquals(0, r.code(), r.err());
    ObjectMapper json = new ObjectMapper();
    JsonNode e = json.readTree(out.resolve("evaluation.json").toFile());
    JsonNode own = json.readTree(run.resolve("evaluation.json").toFile());
    assertEquals(own.get("accuracy").asDouble(), e.get("accuracy").asDouble(), 1e-12);
    assertEquals(own.get("confusion_matrix"), e.get("confusion_matrix"));
    assertEquals(2000, e.get("examples").asLong());
    // the probability-based metrics: the same model on the same rows gives the same figures
    assertEquals(own.get("roc_auc_macro").asDouble(), e.get("roc_auc_macro").asDouble(), 1e-12);
    assertEquals(own.get("log_loss").asDouble(), e.get("log_loss").asDouble(), 1e-9);
    assertTrue(e.get("roc_auc_macro").asDouble() > 0.9 && e.get("roc_auc_macro").asDouble() <= 1, e.toString());
    assertTrue(e.get("ece").asDouble() >= 0 && e.get("ece").asDouble() < 0.2, e.get("ece").toString());
    assertEquals(10, e.get("pr_auc_per_class").size());
  }

  @Test
  void badInputsNameTheInputAndColumnAndWriteNothing() throws Exception {
    // a CSV export has p0..p783, not the pixels column the model reads
    Path csv = tmp.resolve("fashion-csv");
    assertEquals(0, Cli.run("export-table", "--images", IMAGES + "t10k-images-idx3-ubyte.gz", "--labels",
        IMAGES + "t10k-labels-idx1-ubyte.gz", "--limit", "50", "--format", "csv", "--output", csv.toString(),
        "--master", "local[1]").code());
    Path out = tmp.resolve("never");
    Cli.Result schema = Cli.run("predict", "--model", run.toString(), "--input", csv.toString(), "--input-format", "csv",
        "--output", out.toString(), "--master", "local[1]");
    assertEquals(ExitCodes.BAD_DATA, schema.code(), schema.err());
    assertTrue(schema.err().contains(csv + ": has no column 'pixels', which the model reads"), schema.err());
    assertEquals(1, schema.err().strip().lines().count(), schema.err());
    assertFalse(Files.exists(out));

    Cli.Result keep = Cli.run("predict", "--model", run.toString(), "--input", test.toString(), "--keep", "nope",
        "--output", out.toString(), "--master", "local[1]");
    assertEquals(ExitCodes.BAD_DATA, keep.code(), keep.err());
    assertTrue(keep.err().contains("has no column 'nope' (--keep)"), keep.err());
    assertFalse(Files.exists(out));

    Cli.Result idx = Cli.run("predict", "--model", tmp.resolve("no-such-run").toString(), "--input", test.toString(),
        "--output", out.toString(), "--master", "local[1]");
    assertEquals(ExitCodes.BAD_DATA, idx.code(), idx.err());
    assertTrue(idx.err().contains("no-such-run/model.zip: does not exist"), idx.err());

    Cli.Result labels = Cli.run("evaluate", "--model", run.toString(), "--input", csv.toString(), "--input-format", "csv",
        "--output", tmp.resolve("eval-bad").toString(), "--master", "local[1]");
    assertEquals(ExitCodes.BAD_DATA, labels.code(), labels.err());
    assertTrue(labels.err().contains("has no column 'pixels'"), labels.err());
  }
}
