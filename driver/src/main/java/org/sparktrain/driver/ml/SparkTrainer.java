package org.sparktrain.driver.ml;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.TrainingRun;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.data.DataSource;
import org.sparktrain.driver.data.TableSource;
import org.sparktrain.driver.engine.EngineContext;
import org.sparktrain.driver.engine.TrainingData;
import org.sparktrain.driver.engine.TrainingEngine;
import org.sparktrain.driver.train.TrainingResult;
import org.sparktrain.kernels.model.ModelSpec;

/**
 * sparktrain as a Spark ML {@link Estimator}: {@code fit} trains on a DataFrame with the same
 * engine, config and feature handling as {@code bin/sparktrain train} on a table, and returns a
 * {@link SparkTrainModel} whose {@code transform} adds {@code prediction} and {@code probability}
 * on the executors. Works in a {@code Pipeline} (e.g. after a {@code VectorAssembler}: set
 * {@code featuresCol} to its output column).
 *
 * <pre>{@code
 * SparkTrainer trainer = new SparkTrainer()
 *     .setConfig(List.of("model.layers=[{type: dense, units: 64}, {type: output}]", "training.epochs=5"))
 *     .setFeaturesCol("features").setLabelCol("label").setNumClasses(3);
 * PipelineModel m = new Pipeline().setStages(new PipelineStage[] {assembler, trainer}).fit(train);
 * }</pre>
 *
 * <p>The config is what {@code --set} takes (defaults apply; {@code data.features},
 * {@code data.label} and {@code data.num_classes} come from the setters; paths and tables are not
 * read: the rows are the DataFrame's).
 */
public final class SparkTrainer extends Estimator<SparkTrainModel> implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  static {
    // Before this JVM's first ND4J use (a spark-shell or notebook driver): the native build to load.
    org.sparktrain.kernels.device.NativeBackend.select();
  }
  private final String uid;
  /** Feature columns, comma-separated (numeric columns, or one vector / array column). */
  private final Param<String> featuresCol;
  /** The label column. */
  private final Param<String> labelCol;
  /** Classes (string labels: their count). */
  private final Param<String> numClasses;
  /** The config as {@code --set} lines, newline-separated. */
  private final Param<String> config;
  /** A config file's YAML text, the layer under {@link #config}. */
  private final Param<String> configYaml;

  public SparkTrainer() {
    this(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("sparktrain"));
  }

  public SparkTrainer(String uid) {
    this.uid = uid;
    featuresCol = new Param<>(this, "featuresCol", "feature columns, comma-separated");
    labelCol = new Param<>(this, "labelCol", "label column");
    numClasses = new Param<>(this, "numClasses", "number of classes");
    config = new Param<>(this, "config", "sparktrain config as key=value lines");
    configYaml = new Param<>(this, "configYaml", "sparktrain config file (YAML text) under the key=value lines");
    setDefault(featuresCol, "features");
    setDefault(labelCol, "label");
    setDefault(numClasses, "2");
    setDefault(config, "");
    setDefault(configYaml, "");
  }

  /** Spark ML finds params by their public no-argument methods. */
  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> numClasses() {
    return numClasses;
  }

  public Param<String> config() {
    return config;
  }

  public Param<String> configYaml() {
    return configYaml;
  }

  public SparkTrainer setFeaturesCol(String... cols) {
    set(featuresCol, String.join(",", cols));
    return this;
  }

  public SparkTrainer setLabelCol(String col) {
    set(labelCol, col);
    return this;
  }

  public SparkTrainer setNumClasses(int n) {
    set(numClasses, String.valueOf(n));
    return this;
  }

  /** The config as {@code --set} would take it ({@code key=value}, YAML values). */
  public SparkTrainer setConfig(List<String> sets) {
    set(config, String.join("\n", sets));
    return this;
  }

  /** A config file's YAML (e.g. a shipped conf/*.yaml), under {@link #setConfig}'s lines. */
  public SparkTrainer setConfigYaml(String yaml) {
    set(configYaml, yaml);
    return this;
  }

  /** The resolved config this estimator trains with. */
  public TrainConfig trainConfig() {
    List<String> sets = new ArrayList<>();
    String c = getOrDefault(config);
    if (!c.isBlank()) {
      sets.addAll(Arrays.asList(c.split("\n")));
    }
    // the rows come from fit's DataFrame; the format and locations only satisfy validation
    sets.add("data.format=table");
    sets.add("data.train.table=dataframe");
    sets.add("data.test.table=dataframe");
    sets.add("data.features=[" + getOrDefault(featuresCol) + "]");
    sets.add("data.label=" + getOrDefault(labelCol));
    sets.add("data.num_classes=" + getOrDefault(numClasses));
    sets.add("output.dir=dataframe");
    String yaml = getOrDefault(configYaml);
    return ConfigLoader.load("SparkTrainer", yaml.isBlank() ? null
        : new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)), sets);
  }

  @Override
  public SparkTrainModel fit(Dataset<?> dataset) {
    TrainConfig cfg = trainConfig();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
    @SuppressWarnings("unchecked")
    Dataset<Row> rows = (Dataset<Row>) dataset.toDF();
    TableSource source = TableSource.of(rows, cfg.data(), cfg.seed(), null);
    source.validate();
    TrainingEngine engine = TrainingEngine.of(cfg.engineChoice());
    DataSource.Split split = source.load(engine.usesSpark() ? sc : null, cfg.data().partitions());
    TrainingData data = TrainingData.of(split);
    try {
      double[] weights = org.sparktrain.driver.data.ClassWeights.of(cfg.training().classWeights(),
          source.spec().classes(),
          () -> org.sparktrain.driver.data.ClassWeights.counts(split.distributed(), split.local(), source.spec().numClasses()));
      ModelSpec spec = TrainingRun.buildNetwork(cfg, split.description().exampleShape(), weights);
      TrainingResult result = engine.train(new EngineContext(cfg, spec, uid + "-" + System.currentTimeMillis(), sc, data,
          List.of()));
      ByteArrayOutputStream zip = new ByteArrayOutputStream();
      result.network().save(zip, true);
      SparkTrainModel model = new SparkTrainModel(uid, result.network(), source.spec(), zip.toByteArray(),
          ConfigLoader.toYaml(cfg));
      return copyValues(model.setParent(this), extractParamMap());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      data.release();
    }
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return SparkTrainModel.outputSchema(schema, null);
  }

  @Override
  public SparkTrainer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public String uid() {
    return uid;
  }

  /** Reads a saved (unfitted) trainer. */
  public static SparkTrainer load(String path) {
    return read().load(path);
  }

  /** Spark ML's reader (what {@code Pipeline.load} calls). */
  public static org.apache.spark.ml.util.MLReader<SparkTrainer> read() {
    return new org.apache.spark.ml.util.DefaultParamsReader<>();
  }
}
