package org.sparktrain.driver.output;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.evaluation.classification.Evaluation;

/**
 * {@code evaluation.json}: a classifier's test evaluation as reports, notebooks and the nightly gate
 * read it: accuracy, macro and weighted F1, per-class precision / recall / F1 / support, and the
 * confusion matrix (rows: actual class, columns: predicted).
 */
public final class EvaluationJson {
  private EvaluationJson() {}

  /**
   * @param split the split evaluated ({@code test})
   * @param eval DL4J's evaluation
   * @param classNames class names by index; empty: the indices
   */
  public static Map<String, Object> of(String split, Evaluation eval, List<String> classNames) {
    return of(split, eval, null, classNames);
  }

  /**
   * With the probability-based metrics ({@code probabilities} may be null): per-class and macro ROC-AUC
   * and average precision, log loss, Brier score, expected calibration error.
   */
  public static Map<String, Object> of(String split, Evaluation eval,
                                       org.sparktrain.kernels.eval.ProbabilityMetrics probabilities,
                                       List<String> classNames) {
    int n = eval.getNumRowCounter() > 0 && eval.getConfusionMatrix() != null
        ? eval.getConfusionMatrix().getClasses().size() : 0;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("split", split);
    m.put("task", "classification");
    m.put("examples", (long) eval.getNumRowCounter());
    m.put("accuracy", eval.accuracy());
    m.put("f1_macro", finite(eval.f1(org.nd4j.evaluation.EvaluationAveraging.Macro)));
    List<String> names = new ArrayList<>();
    List<Map<String, Object>> perClass = new ArrayList<>();
    long[][] confusion = new long[n][n];
    double weightedF1 = 0;
    long total = 0;
    for (int c = 0; c < n; c++) {
      String name = c < classNames.size() ? classNames.get(c) : String.valueOf(c);
      names.add(name);
      long support = 0;
      for (int p = 0; p < n; p++) {
        confusion[c][p] = eval.getConfusionMatrix().getCount(c, p);
        support += confusion[c][p];
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("class", name);
      row.put("index", c);
      row.put("precision", finite(eval.precision(c)));
      row.put("recall", finite(eval.recall(c)));
      double f1 = eval.f1(c);
      row.put("f1", finite(f1));
      row.put("support", support);
      perClass.add(row);
      if (Double.isFinite(f1)) {
        weightedF1 += f1 * support;
      }
      total += support;
    }
    m.put("f1_weighted", total > 0 ? weightedF1 / total : null);
    m.put("classes", names);
    m.put("per_class", perClass);
    m.put("confusion_matrix", confusion);
    if (probabilities != null && probabilities.count() > 0) {
      m.putAll(probabilities.toMap(names));
    }
    return m;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
