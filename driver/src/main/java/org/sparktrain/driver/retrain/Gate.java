package org.sparktrain.driver.retrain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.driver.config.TrainConfig;

/**
 * The champion/challenger gate: {@code retrain.gate}'s rules on both models' metrics over the same
 * frozen holdout, with MLflow {@code MetricThreshold}'s semantics (an absolute threshold, a minimum
 * absolute and relative improvement over the baseline) plus a guardrail ({@code max_regression}: how
 * much worse than the champion a metric may get). Every rule must pass. Without a champion (the first
 * night) only thresholds apply.
 */
public final class Gate {
  private Gate() {}

  /**
   * One rule's verdict.
   *
   * @param metric the metric
   * @param challenger its value for the challenger
   * @param champion its value for the champion, or null
   * @param passed whether every part of the rule held
   * @param reasons what held and what did not, one line per part
   */
  public record Check(String metric, double challenger, Double champion, boolean passed, List<String> reasons) {}

  /**
   * The gate's verdict.
   *
   * @param passed every rule passed
   * @param checks per rule
   */
  public record Decision(boolean passed, List<Check> checks) {
    /** The parts that failed, one line each. */
    public List<String> failures() {
      List<String> out = new ArrayList<>();
      for (Check c : checks) {
        if (!c.passed()) {
          c.reasons().stream().filter(r -> r.startsWith("FAIL")).forEach(out::add);
        }
      }
      return out;
    }

    /** As {@code gate.json}. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("passed", passed);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Check c : checks) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("metric", c.metric());
        r.put("challenger", c.challenger());
        r.put("champion", c.champion());
        r.put("passed", c.passed());
        r.put("reasons", c.reasons());
        rows.add(r);
      }
      m.put("checks", rows);
      m.put("failures", failures());
      return m;
    }
  }

  /**
   * Applies {@code rules} to the challenger's and the champion's holdout metrics.
   *
   * @param champion the champion's metrics, or null when there is none
   */
  public static Decision decide(List<TrainConfig.GateRule> rules, Map<String, Double> challenger,
                                Map<String, Double> champion) {
    List<Check> checks = new ArrayList<>();
    boolean all = true;
    for (TrainConfig.GateRule r : rules) {
      boolean gib = r.greaterIsBetter() != null ? r.greaterIsBetter() : org.sparktrain.driver.config.GateRules.METRICS.getOrDefault(r.metric(),
          true);
      Double c = challenger.get(r.metric());
      Double b = champion == null ? null : champion.get(r.metric());
      List<String> reasons = new ArrayList<>();
      boolean ok = true;
      if (c == null || c.isNaN()) {
        reasons.add("FAIL " + r.metric() + ": the challenger has no value for it on the holdout");
        checks.add(new Check(r.metric(), Double.NaN, b, false, reasons));
        all = false;
        continue;
      }
      if (r.threshold() != null) {
        boolean pass = gib ? c >= r.threshold() : c <= r.threshold();
        reasons.add(verdict(pass) + String.format(Locale.ROOT, " %s %.4f %s threshold %.4f", r.metric(), c,
            gib ? ">=" : "<=", r.threshold()));
        ok &= pass;
      }
      boolean compares = r.minAbsoluteChange() != null || r.minRelativeChange() != null || r.maxRegression() != null;
      if (compares && b == null) {
        reasons.add("pass " + r.metric() + ": no champion to compare with (first version)");
      } else if (compares) {
        double gain = gib ? c - b : b - c;
        if (r.minAbsoluteChange() != null) {
          boolean pass = gain >= r.minAbsoluteChange();
          reasons.add(verdict(pass) + String.format(Locale.ROOT, " %s %.4f vs champion %.4f: %s %+.4f, needs >= %+.4f",
              r.metric(), c, b, gib ? "gain" : "reduction", gain, r.minAbsoluteChange()));
          ok &= pass;
        }
        if (r.minRelativeChange() != null) {
          double rel = b == 0 ? (gain > 0 ? Double.POSITIVE_INFINITY : 0) : gain / Math.abs(b);
          boolean pass = rel >= r.minRelativeChange();
          reasons.add(verdict(pass) + String.format(Locale.ROOT, " %s %.4f vs champion %.4f: relative %s %+.2f%%, "
              + "needs >= %+.2f%%", r.metric(), c, b, gib ? "gain" : "reduction", 100 * rel,
              100 * r.minRelativeChange()));
          ok &= pass;
        }
        if (r.maxRegression() != null) {
          boolean pass = -gain <= r.maxRegression();
          reasons.add(verdict(pass) + String.format(Locale.ROOT, " %s %.4f vs champion %.4f: regression %.4f, allowed "
              + "<= %.4f (guardrail)", r.metric(), c, b, Math.max(0, -gain), r.maxRegression()));
          ok &= pass;
        }
      }
      checks.add(new Check(r.metric(), c, b, ok, reasons));
      all &= ok;
    }
    return new Decision(all, checks);
  }

  private static String verdict(boolean pass) {
    return pass ? "pass" : "FAIL";
  }

  /** The gate's metrics from an {@code evaluation.json} map. */
  public static Map<String, Double> metrics(Map<String, Object> evaluation) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String k : List.of("accuracy", "f1_macro", "f1_weighted", "roc_auc_macro", "pr_auc_macro", "log_loss",
        "brier", "ece")) {
      if (evaluation.get(k) instanceof Number n) {
        m.put(k, n.doubleValue());
      }
    }
    if (evaluation.get("per_class") instanceof List<?> rows && !rows.isEmpty()) {
      for (String part : List.of("recall", "precision", "f1")) {
        double worst = Double.POSITIVE_INFINITY;
        for (Object o : rows) {
          if (o instanceof Map<?, ?> row && ((Number) row.get("support")).longValue() > 0) {
            Object v = row.get(part);
            worst = Math.min(worst, v instanceof Number n ? n.doubleValue() : 0);
          }
        }
        if (Double.isFinite(worst)) {
          m.put("worst_class_" + part, worst);
        }
      }
    }
    return m;
  }
}
