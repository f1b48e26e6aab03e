package org.sparktrain.driver.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code retrain.gate} rules may say, checked when the config is loaded. */
public final class GateRules {
  private GateRules() {}

  /** The holdout metrics a rule can name, and whether greater is better. */
  public static final Map<String, Boolean> METRICS = metrics();

  private static Map<String, Boolean> metrics() {
    Map<String, Boolean> m = new LinkedHashMap<>();
    for (String s : List.of("accuracy", "f1_macro", "f1_weighted", "worst_class_recall", "worst_class_precision",
        "worst_class_f1", "roc_auc_macro", "pr_auc_macro")) {
      m.put(s, true);
    }
    for (String s : List.of("log_loss", "brier", "ece")) {
      m.put(s, false);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Checks the rules; the error names the rule index and field. */
  public static void validate(List<TrainConfig.GateRule> rules) {
    if (rules == null || rules.isEmpty()) {
      throw new ConfigException("retrain.gate", "must list at least one rule (e.g. {metric: accuracy, "
          + "min_absolute_change: 0.0})");
    }
    for (int i = 0; i < rules.size(); i++) {
      TrainConfig.GateRule r = rules.get(i);
      String key = "retrain.gate[" + i + "]";
      if (r == null || r.metric() == null) {
        throw new ConfigException(key + ".metric", "is required; allowed: " + METRICS.keySet());
      }
      if (!METRICS.containsKey(r.metric())) {
        throw new ConfigException(key + ".metric", "'" + r.metric() + "' is not a holdout metric; allowed: "
            + METRICS.keySet());
      }
      if (r.threshold() == null && r.minAbsoluteChange() == null && r.minRelativeChange() == null
          && r.maxRegression() == null) {
        throw new ConfigException(key, "checks nothing: set threshold, min_absolute_change, min_relative_change or "
            + "max_regression");
      }
      finite(key + ".threshold", r.threshold());
      finite(key + ".min_absolute_change", r.minAbsoluteChange());
      finite(key + ".min_relative_change", r.minRelativeChange());
      finite(key + ".max_regression", r.maxRegression());
      if (r.maxRegression() != null && r.maxRegression() < 0) {
        throw new ConfigException(key + ".max_regression", r.maxRegression() + " is out of range; allowed: >= 0 (how "
            + "much worse than the champion the metric may get)");
      }
    }
  }

  private static void finite(String key, Double v) {
    if (v != null && !Double.isFinite(v)) {
      throw new ConfigException(key, v + " is not allowed; allowed: a finite number");
    }
  }
}
