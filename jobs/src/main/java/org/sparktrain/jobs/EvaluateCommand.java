package org.sparktrain.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.predict.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparktrain evaluate}: a trained model's metrics on a labelled table, computed on Spark. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluate a model trained on tabular data on labelled rows; writes evaluation.json (accuracy, "
        + "per-class precision/recall/F1, macro/weighted F1, confusion matrix) into the output directory.")
final class EvaluateCommand implements Callable<Integer> {
  @Mixin
  ModelInputOptions in;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for evaluation.json.")
  String output;

  @Override
  public Integer call() {
    Configuration hadoop = new Configuration();
    String file = new Path(output, "evaluation.json").toString();
    org.sparktrain.driver.output.AtomicFile.requireAvailable(file, in.overwrite, hadoop);
    ModelFiles m = in.load(hadoop);
    TrainConfig.Data data = m.config().data().forInput(in.inputFormat, in.input);
    try (JavaSparkContext sc = SparkContexts.create("sparktrain evaluate", in.master)) {
      org.sparktrain.driver.predict.ModelEvaluation.Result r = org.sparktrain.driver.predict.ModelEvaluation.evaluate(sc,
          m, data, "input");
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("input", in.input);
      json.putAll(r.json());
      try {
        org.sparktrain.driver.output.AtomicFile.writeText(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(json), true, hadoop);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      System.out.printf(Locale.ROOT, "evaluated %,d rows: accuracy %.4f, macro F1 %.4f -> %s%n", r.rows(),
          r.evaluation().accuracy(), r.evaluation().f1(org.nd4j.evaluation.EvaluationAveraging.Macro), file);
    }
    return ExitCodes.OK;
  }
}
