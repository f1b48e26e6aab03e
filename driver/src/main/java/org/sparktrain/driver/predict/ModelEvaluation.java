package org.sparktrain.driver.predict;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.evaluation.classification.Evaluation;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.data.DataSource;
import org.sparktrain.driver.data.DataSources;
import org.sparktrain.driver.data.TableSource;
import org.sparktrain.driver.output.EvaluationJson;
import org.sparktrain.driver.train.DistributedEvaluator;

/**
 * A trained model's metrics on labelled rows, computed on Spark with the model's own feature spec
 * (its vocabularies and normalisation): what {@code evaluate} writes and what the nightly gate
 * compares champion and challenger with.
 */
public final class ModelEvaluation {
  private ModelEvaluation() {}

  /**
   * The evaluation.
   *
   * @param rows rows evaluated
   * @param evaluation DL4J's confusion-matrix evaluation
   * @param json the {@code evaluation.json} content
   */
  public record Result(long rows, Evaluation evaluation, Map<String, Object> json) {}

  /**
   * Evaluates {@code m} on {@code data}'s test split ({@link TrainConfig.Data#forInput}).
   *
   * @param split the name recorded in the result ({@code input}, {@code holdout})
   */
  public static Result evaluate(JavaSparkContext sc, ModelFiles m, TrainConfig.Data data, String split) {
    long t0 = System.nanoTime();
    TableSource rows = new TableSource("test", data, DataSources.session(sc), m.config().seed(), 0, m.spec());
    rows.validate();
    DataSource.Split loaded = rows.load(sc, 0);
    try {
      DistributedEvaluator.Result full = DistributedEvaluator.evaluateFully(sc, m.network(), loaded.distributed(),
          m.spec().numClasses(), 512);
      Map<String, Object> json = new LinkedHashMap<>(EvaluationJson.of(split, full.evaluation(), full.probabilities(),
          m.spec().classes()));
      json.put("model", m.dir());
      json.put("model_sha256", m.sha256());
      json.put("seconds", (System.nanoTime() - t0) / 1e9);
      return new Result(loaded.count(), full.evaluation(), json);
    } finally {
      loaded.distributed().blocks().unpersist(false);
    }
  }
}
