package org.sparktrain.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.evaluation.classification.Evaluation;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.data.DataSource;
import org.sparktrain.driver.data.DataSources;
import org.sparktrain.driver.data.TableSource;
import org.sparktrain.driver.output.EvaluationJson;
import org.sparktrain.driver.output.OutputExistsException;
import org.sparktrain.driver.predict.ModelFiles;
import org.sparktrain.driver.train.DistributedEvaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparktrain evaluate}: a trained model's metrics on a labelled table, computed on Spark. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluate a model trained on tabular data on labelled rows; writes evaluation.json (accuracy, "
        + "per-class precision/recall/F1, macro/weighted F1, confusion matrix) into the output directory.")
final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "A train output directory (or its model.zip).")
  String model;

  @Option(names = "--input", required = true, paramLabel = "PATH", description = "Labelled rows: a path, or a table name "
      + "with --input-format table.")
  String input;

  @Option(names = "--input-format", paramLabel = "F", description = "parquet, csv, orc, json or table (default: the "
      + "model's data.format).")
  String inputFormat;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for evaluation.json.")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing evaluation.json.")
  boolean overwrite;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: set by the launcher).")
  String master;

  @Override
  public Integer call() {
    Configuration hadoop = new Configuration();
    Path file = new Path(output, "evaluation.json");
    try {
      if (file.getFileSystem(hadoop).exists(file) && !overwrite) {
        throw new OutputExistsException(file + " exists; pass --overwrite to replace it");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ModelFiles m = ModelFiles.read(model, hadoop);
    TrainConfig.Data data = m.config().data().forInput(inputFormat, input);
    try (JavaSparkContext sc = SparkContexts.create("sparktrain evaluate", master)) {
      long t0 = System.nanoTime();
      TableSource rows = new TableSource("test", data, DataSources.session(sc), m.config().seed(), 0, m.spec());
      rows.validate();
      DataSource.Split split = rows.load(sc, 0);
      Evaluation eval = DistributedEvaluator.evaluate(sc, m.network(), split.distributed(), m.spec().numClasses(), 512);
      split.distributed().blocks().unpersist(false);
      Map<String, Object> json = new LinkedHashMap<>(EvaluationJson.of("input", eval, m.spec().classes()));
      json.put("input", input);
      json.put("model", m.dir());
      json.put("model_sha256", m.sha256());
      json.put("seconds", (System.nanoTime() - t0) / 1e9);
      write(file, json, hadoop);
      System.out.printf(Locale.ROOT, "evaluated %,d rows: accuracy %.4f, macro F1 %.4f -> %s%n", split.count(),
          eval.accuracy(), eval.f1(org.nd4j.evaluation.EvaluationAveraging.Macro), file);
    }
    return ExitCodes.OK;
  }

  private static void write(Path file, Map<String, Object> json, Configuration hadoop) {
    try {
      FileSystem fs = file.getFileSystem(hadoop);
      Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp");
      try (OutputStream o = fs.create(tmp, true)) {
        o.write(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json)
            .getBytes(StandardCharsets.UTF_8));
      }
      if (fs.exists(file)) {
        fs.delete(file, false);
      }
      if (!fs.rename(tmp, file)) {
        throw new IOException("could not rename " + tmp + " to " + file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
