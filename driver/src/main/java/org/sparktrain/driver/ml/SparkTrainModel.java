package org.sparktrain.driver.ml;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.data.FeatureSpec;
import org.sparktrain.driver.predict.ModelFiles;
import org.sparktrain.driver.predict.Predictor;
import org.sparktrain.kernels.model.Network;

/**
 * A network trained by {@link SparkTrainer}: {@code transform} keeps every input column and adds
 * {@code prediction} (the class name of string labels, else the class index) and {@code
 * probability} (one per class), scored on the executors with the network broadcast once. Saved
 * ({@link MLWritable}) as Spark ML metadata plus the files of a run directory ({@code data/model.zip},
 * {@code data/features.json}, {@code data/config.yaml}), so {@code bin/sparktrain predict --model
 * PATH/data} scores with it too.
 */
public final class SparkTrainModel extends Model<SparkTrainModel> implements MLWritable {
  private static final long serialVersionUID = 1L;
  private final String uid;
  private final transient Network network;
  private final FeatureSpec spec;
  private final byte[] modelZip;
  private final String configYaml;

  SparkTrainModel(String uid, Network network, FeatureSpec spec, byte[] modelZip, String configYaml) {
    this.uid = uid;
    this.network = network;
    this.spec = spec;
    this.modelZip = modelZip;
    this.configYaml = configYaml;
  }

  /** The trained network. */
  public Network network() {
    return network;
  }

  /** How rows become its inputs. */
  public FeatureSpec featureSpec() {
    return spec;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> rows = dataset.toDF();
    return Predictor.score(rows.sparkSession(), network, spec, rows, Arrays.asList(rows.columns()), 1024,
        "the DataFrame");
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return outputSchema(schema, spec);
  }

  static StructType outputSchema(StructType schema, FeatureSpec spec) {
    return schema.add("prediction", spec != null && !spec.stringLabels() ? DataTypes.IntegerType : DataTypes.StringType,
        false).add("probability", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
  }

  @Override
  public SparkTrainModel copy(ParamMap extra) {
    return copyValues(new SparkTrainModel(uid, network, spec, modelZip, configYaml), extra).setParent(parent());
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** Spark ML's reader (what {@code PipelineModel.load} calls). */
  public static MLReader<SparkTrainModel> read() {
    return new Reader();
  }

  public static SparkTrainModel load(String path) {
    return read().load(path);
  }

  private static final class Writer extends MLWriter {
    private final SparkTrainModel model;

    Writer(SparkTrainModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sc(), scala.Option.empty(), scala.Option.empty());
      Path data = new Path(path, "data");
      try {
        FileSystem fs = data.getFileSystem(sc().hadoopConfiguration());
        write(fs, new Path(data, "model.zip"), model.modelZip);
        write(fs, new Path(data, "features.json"), model.spec.toJson().getBytes(StandardCharsets.UTF_8));
        write(fs, new Path(data, "config.yaml"), model.configYaml.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot save the model to " + path + ": " + e.getMessage(), e);
      }
    }

    private static void write(FileSystem fs, Path p, byte[] bytes) throws IOException {
      try (OutputStream o = fs.create(p, true)) {
        o.write(bytes);
      }
    }
  }

  private static final class Reader extends MLReader<SparkTrainModel> {
    @Override
    public SparkTrainModel load(String path) {
      DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sc(), SparkTrainModel.class.getName());
      Path data = new Path(path, "data");
      ModelFiles files = ModelFiles.read(data.toString(), sc().hadoopConfiguration());
      try (InputStream in = new Path(data, "model.zip").getFileSystem(sc().hadoopConfiguration())
          .open(new Path(data, "model.zip"))) {
        byte[] zip = in.readAllBytes();
        SparkTrainModel m = new SparkTrainModel(meta.uid(), files.network(), files.spec(), zip,
            org.sparktrain.driver.config.ConfigLoader.toYaml(files.config()));
        meta.getAndSetParams(m, scala.Option.empty());
        return m;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the model in " + path + ": " + e.getMessage(), e);
      }
    }
  }

  /** For messages. */
  @Override
  public String toString() {
    return "SparkTrainModel " + uid + " " + spec + " " + List.of(modelZip.length + " bytes");
  }
}
