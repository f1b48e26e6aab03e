package org.sparktrain.driver.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.GateRules;
import org.sparktrain.driver.config.TrainConfig.GateRule;

class GateTest {
  private static GateRule rule(String metric, Double threshold, Double minAbs, Double minRel, Double maxReg) {
    return new GateRule(metric, threshold, minAbs, minRel, maxReg, null);
  }

  @Test
  void thresholdsImprovementsAndGuardrails() {
    List<GateRule> rules = List.of(rule("accuracy", 0.80, 0.005, null, null),
        rule("worst_class_recall", null, null, null, 0.02), rule("log_loss", 0.6, null, null, null));
    Map<String, Double> champion = Map.of("accuracy", 0.850, "worst_class_recall", 0.60, "log_loss", 0.45);
    Gate.Decision pass = Gate.decide(rules, Map.of("accuracy", 0.856, "worst_class_recall", 0.59, "log_loss", 0.41),
        champion);
    assertTrue(pass.passed(), pass.toMap().toString());
    // +0.003 is below the required +0.005; recall regressed by 0.03 > 0.02; log loss above its ceiling
    Gate.Decision fail = Gate.decide(rules, Map.of("accuracy", 0.853, "worst_class_recall", 0.57, "log_loss", 0.61),
        champion);
    assertFalse(fail.passed());
    assertEquals(3, fail.failures().size(), fail.failures().toString());
    assertTrue(fail.failures().get(0).contains("gain +0.0030, needs >= +0.0050"), fail.failures().get(0));
    assertTrue(fail.failures().get(1).contains("regression 0.0300"), fail.failures().get(1));
    assertTrue(fail.failures().get(2).contains("<= threshold 0.6000"), fail.failures().get(2));
  }

  @Test
  void relativeChangeAndLowerIsBetterMetrics() {
    List<GateRule> rules = List.of(rule("log_loss", null, null, 0.10, null));
    assertTrue(Gate.decide(rules, Map.of("log_loss", 0.44), Map.of("log_loss", 0.50)).passed()); // 12% lower
    assertFalse(Gate.decide(rules, Map.of("log_loss", 0.47), Map.of("log_loss", 0.50)).passed()); // 6% lower
  }

  @Test
  void withoutAChampionOnlyThresholdsApply() {
    List<GateRule> rules = List.of(rule("accuracy", 0.5, 0.01, null, null));
    Gate.Decision d = Gate.decide(rules, Map.of("accuracy", 0.6), null);
    assertTrue(d.passed());
    assertFalse(Gate.decide(rules, Map.of("accuracy", 0.4), null).passed());
    assertFalse(Gate.decide(rules, Map.of(), null).passed());
  }

  @Test
  void worstClassMetricsComeFromPerClassRows() {
    Map<String, Object> eval = Map.of("accuracy", 0.9, "per_class", List.of(
        Map.of("recall", 0.95, "precision", 0.9, "f1", 0.92, "support", 10L),
        Map.of("recall", 0.55, "precision", 0.8, "f1", 0.65, "support", 10L),
        Map.of("recall", 0.0, "precision", 0.0, "f1", 0.0, "support", 0L)));
    Map<String, Double> m = Gate.metrics(eval);
    assertEquals(0.55, m.get("worst_class_recall"), 1e-12);
    assertEquals(0.8, m.get("worst_class_precision"), 1e-12);
    assertEquals(0.9, m.get("accuracy"), 1e-12);
  }

  @Test
  void badRulesNameTheRuleAndField() {
    ConfigException e = assertThrows(ConfigException.class, () -> GateRules.validate(List.of(
        rule("accuracy", 0.5, null, null, null), rule("acc", 0.5, null, null, null))));
    assertTrue(e.getMessage().contains("retrain.gate[1].metric") && e.getMessage().contains("worst_class_recall"),
        e.getMessage());
    e = assertThrows(ConfigException.class, () -> GateRules.validate(List.of(rule("accuracy", null, null, null, null))));
    assertTrue(e.getMessage().contains("retrain.gate[0]") && e.getMessage().contains("checks nothing"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> GateRules.validate(List.of(rule("accuracy", null, null, null, -0.1))));
    assertTrue(e.getMessage().contains("retrain.gate[0].max_regression"), e.getMessage());
  }
}
