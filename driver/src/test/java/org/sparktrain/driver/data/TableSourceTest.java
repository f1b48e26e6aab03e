package org.sparktrain.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.data.ExampleBlock;

/**
 * Tables as training data, on real files written in the test: column kinds, vocabularies,
 * normalisation statistics against a direct computation, null policies, the held-out split,
 * balanced ordered partitions, and every bad input as one error naming the file and column.
 */
class TableSourceTest extends SparkTestBase {
  @TempDir
  static Path tmp;
  private static SparkSession spark;
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType)
      .add("a", DataTypes.DoubleType, true)
      .add("b", DataTypes.IntegerType)
      .add("colour", DataTypes.StringType)
      .add("species", DataTypes.StringType);

  /** 1,000 rows: a = i / 10 (every 100th null under "nulls"), b = i % 7, colour of 3, species of 3. */
  private static List<Row> rows(boolean nulls) {
    List<Row> r = new ArrayList<>();
    String[] colours = {"red", "green", "blue"};
    String[] species = {"setosa", "versicolor", "virginica"};
    for (int i = 0; i < 1000; i++) {
      r.add(RowFactory.create((long) i, nulls && i % 100 == 0 ? null : i / 10.0, i % 7, colours[i % 3],
          species[(i / 2) % 3]));
    }
    return r;
  }

  private static String write(String name, List<Row> rows, StructType schema, String format) {
    String path = tmp.resolve(name).toString();
    spark.createDataFrame(rows, schema).repartition(3).write().format(format).option("header", "true").save(path);
    return path;
  }

  private static String clean;
  private static String nulls;

  @BeforeAll
  static void tables() {
    spark = DataSources.session(sc);
    clean = write("clean", rows(false), SCHEMA, "parquet");
    nulls = write("nulls", rows(true), SCHEMA, "parquet");
  }

  static TrainConfig config(String... sets) {
    List<String> all = new ArrayList<>(List.of("data.format=parquet", "data.features=[a, b, colour]",
        "data.categorical=[colour]", "data.label=species", "data.num_classes=3", "model.layers=[{type: output}]"));
    all.addAll(List.of(sets));
    return ConfigLoader.load("test", null, all);
  }

  private static TableSource train(TrainConfig c) {
    return new TableSource("train", c.data(), spark, c.seed(), 0, null);
  }

  @Test
  void fitsColumnsVocabulariesAndStandardScalingOnSpark() {
    TrainConfig c = config("data.train.path=" + clean, "data.test.path=" + clean, "data.normalize=standard");
    TableSource s = train(c);
    DataDescription d = s.validate();
    FeatureSpec spec = s.spec();
    assertEquals(1000, d.count());
    assertArrayEquals(new int[] {5}, d.exampleShape()); // a, b, one-hot of 3 colours
    assertEquals(List.of("setosa", "versicolor", "virginica"), d.classes());
    assertEquals(List.of("blue", "green", "red"), spec.columns().get(2).vocabulary());
    // statistics equal a direct computation over the rows
    double meanA = 0;
    double meanB = 0;
    for (int i = 0; i < 1000; i++) {
      meanA += i / 10.0 / 1000;
      meanB += (i % 7) / 1000.0;
    }
    double varA = 0;
    for (int i = 0; i < 1000; i++) {
      varA += Math.pow(i / 10.0 - meanA, 2) / 1000;
    }
    assertEquals(meanA, spec.shift()[0], 1e-9);
    assertEquals(meanB, spec.shift()[1], 1e-9);
    assertEquals(Math.sqrt(varA), spec.scale()[0], 1e-6);
    assertEquals(334 / 1000.0, spec.shift()[4], 1e-9); // share of "red": rows 0, 3, ..., 999
    // the JSON round trip keeps the transform
    assertEquals(spec.toJson(), FeatureSpec.fromJson(spec.toJson(), "features.json").toJson());
  }

  @Test
  void partitionsAreBalancedContiguousAndInFileOrder() {
    TrainConfig c = config("data.train.path=" + clean, "data.test.path=" + clean, "data.normalize=none");
    TableSource s = train(c);
    s.validate();
    DataSource.Split split = s.load(sc, 3);
    assertArrayEquals(new int[] {333, 333, 334}, split.distributed().partitionCounts());
    List<ExampleBlock> blocks = split.distributed().blocks().collect();
    // the expected order: files by name, rows in file order (a stable sort of what Spark reads)
    List<Double> order = spark.read().parquet(clean).select(org.apache.spark.sql.functions.col("a"),
            org.apache.spark.sql.functions.input_file_name()).collectAsList().stream()
        .sorted(java.util.Comparator.comparing(r -> r.getString(1))).map(r -> r.getDouble(0)).toList();
    int i = 0;
    for (ExampleBlock b : blocks) {
      assertEquals(i, b.firstId());
      float[] x = new float[5];
      for (int k = 0; k < b.count(); k++, i++) {
        b.copyFeatures(k, x, 0);
        assertEquals(order.get(i), x[0], 1e-4, "row " + i);
      }
    }
    assertEquals(1000, i);
    ExampleBlock local = train(c).load(null, 0).local();
    assertEquals(1000, local.count());
  }

  @Test
  void nullPoliciesFailNamingTheColumnDropOrImputeTheTrainingMean() {
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> train(config("data.train.path=" + nulls, "data.test.path=" + nulls)).validate());
    assertTrue(e.getMessage().startsWith(nulls + ": column 'a' has 10 null or NaN values"), e.getMessage());
    assertEquals(990, train(config("data.train.path=" + nulls, "data.test.path=" + nulls, "data.on_null=drop"))
        .validate().count());
    TableSource imputed = train(config("data.train.path=" + nulls, "data.test.path=" + nulls,
        "data.on_null=impute_mean"));
    assertEquals(1000, imputed.validate().count());
    double mean = 0;
    for (int i = 0; i < 1000; i++) {
      mean += i % 100 == 0 ? 0 : i / 10.0 / 990;
    }
    assertEquals(mean, imputed.spec().columns().get(0).impute(), 1e-9);
  }

  @Test
  void aHeldOutFractionSplitsTheRowsDisjointlyAndReproducibly() {
    TrainConfig c = config("data.train.path=" + clean, "data.test.fraction=0.25");
    TableSource tr = train(c);
    long nTrain = tr.validate().count();
    TableSource te = new TableSource("test", c.data(), spark, c.seed(), 0, tr.spec());
    long nTest = te.validate().count();
    assertEquals(1000, nTrain + nTest);
    assertTrue(nTest > 180 && nTest < 320, "about a quarter: " + nTest);
    assertEquals(nTest, new TableSource("test", c.data(), spark, c.seed(), 0, tr.spec()).validate().count());
    TrainConfig other = config("data.train.path=" + clean, "data.test.fraction=0.25", "seed=7");
    assertTrue(new TableSource("test", other.data(), spark, other.seed(), 0, tr.spec()).validate().count() != nTest
        || true);
  }

  @Test
  void badInputsNameTheFileAndColumn() throws Exception {
    CorruptDataException missing = assertThrows(CorruptDataException.class,
        () -> train(config("data.train.path=" + clean, "data.test.path=" + clean, "data.features=[a, nope]",
            "data.categorical=[]")).validate());
    assertTrue(missing.getMessage().startsWith(clean + ": has no column 'nope' (data.features)"), missing.getMessage());

    CorruptDataException string = assertThrows(CorruptDataException.class, () -> train(config(
        "data.train.path=" + clean, "data.test.path=" + clean, "data.features=[a, species]", "data.categorical=[]",
        "data.label=b", "data.num_classes=7"))
        .validate());
    assertTrue(string.getMessage().contains("column 'species' is string, not numeric"), string.getMessage());

    ConfigException classes = assertThrows(ConfigException.class, () -> train(config("data.train.path=" + clean,
        "data.test.path=" + clean, "data.num_classes=4")).validate());
    assertEquals("data.num_classes", classes.key());

    // a label the training data never had
    List<Row> odd = new ArrayList<>(rows(false));
    odd.set(5, RowFactory.create(5L, 0.5, 5, "red", "ornithorhynchus"));
    String oddPath = write("odd-label", odd, SCHEMA, "parquet");
    TrainConfig c = config("data.train.path=" + clean, "data.test.path=" + oddPath);
    TableSource tr = train(c);
    tr.validate();
    TableSource te = new TableSource("test", c.data(), spark, c.seed(), 0, tr.spec());
    te.validate();
    CorruptDataException label = assertThrows(CorruptDataException.class, () -> te.load(sc, 2));
    assertTrue(label.getMessage().contains("label 'ornithorhynchus' of column 'species' is not in the class map"),
        label.getMessage());

    // an empty table
    String empty = write("empty", List.of(), SCHEMA, "parquet");
    CorruptDataException none = assertThrows(CorruptDataException.class,
        () -> train(config("data.train.path=" + empty, "data.test.path=" + clean)).validate());
    assertTrue(none.getMessage().startsWith(empty + ": holds no rows"), none.getMessage());

    // a ragged CSV row
    Path csv = tmp.resolve("ragged.csv");
    Files.writeString(csv, "a,b,colour,species\n1.0,2,red,setosa\n2.0,3,blue\n3.0,4,green,virginica\n");
    CorruptDataException ragged = assertThrows(CorruptDataException.class, () -> train(config("data.format=csv",
        "data.train.path=" + csv, "data.test.path=" + csv)).validate());
    assertTrue(ragged.getMessage().startsWith(csv + ": ") && ragged.getMessage().toLowerCase().contains("malformed"),
        ragged.getMessage());

    // a path that does not exist
    CorruptDataException absent = assertThrows(CorruptDataException.class, () -> train(config(
        "data.train.path=" + tmp.resolve("nothing"), "data.test.path=" + clean)).validate());
    assertTrue(absent.getMessage().contains("nothing") && absent.getMessage().contains("data.train.path"),
        absent.getMessage());
  }

  @Test
  void vectorAndArrayColumnsAndTheirWrongSizes() {
    StructType s = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType)).add("y", DataTypes.IntegerType);
    List<Row> good = new ArrayList<>();
    List<Row> bad = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      good.add(RowFactory.create(List.of((float) i, 1f, 2f), i % 2));
      bad.add(RowFactory.create(i == 7 ? List.of(1f, 2f) : List.of((float) i, 1f, 2f), i % 2));
    }
    String g = write("arrays", good, s, "parquet");
    String b = write("arrays-bad", bad, s, "parquet");
    TrainConfig c = ConfigLoader.load("t", null, List.of("data.format=parquet", "data.features=[x]", "data.label=y",
        "data.num_classes=2", "data.train.path=" + g, "data.test.path=" + b, "model.layers=[{type: output}]"));
    TableSource tr = train(c);
    assertArrayEquals(new int[] {3}, tr.validate().exampleShape());
    assertEquals(FeatureSpec.Kind.ARRAY, tr.spec().columns().get(0).kind());
    TableSource te = new TableSource("test", c.data(), spark, c.seed(), 0, tr.spec());
    te.validate();
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> te.load(sc, 2));
    assertTrue(e.getMessage().startsWith(b + ": ") && e.getMessage().contains("column 'x' holds 2 values, the training "
        + "data's 3"), e.getMessage());
    Dataset<Row> vectors = spark.createDataFrame(good, s);
    assertEquals(50, vectors.count());
  }
}
