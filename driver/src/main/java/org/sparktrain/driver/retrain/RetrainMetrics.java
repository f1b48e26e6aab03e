package org.sparktrain.driver.retrain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.driver.monitor.TextfileMetrics;
import org.sparktrain.driver.monitor.TextfileMetrics.Gauge;

/**
 * A night's {@code metrics.prom} (node_exporter textfile format): the decision, the gate, the
 * versions and the holdout figures, labelled {@code run_dir} (the model's registry directory) as
 * {@code deploy/monitoring/sparktrain-alerts.yml} expects ({@code sparktrain_gate_rejected == 1}).
 */
final class RetrainMetrics {
  private RetrainMetrics() {}

  static String of(Map<String, Object> ledger, String modelDir) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("run_dir", modelDir);
    labels.put("model", String.valueOf(ledger.get("model")));
    String decision = String.valueOf(ledger.get("decision"));
    List<Gauge> g = new ArrayList<>();
    g.add(new Gauge("sparktrain_retrain_timestamp_seconds", "When the nightly retrain finished (Unix time).",
        System.currentTimeMillis() / 1000.0));
    g.add(new Gauge("sparktrain_retrain_promoted", "1 when the night promoted its challenger.",
        "promoted".equals(decision) ? 1 : 0));
    g.add(new Gauge("sparktrain_gate_rejected", "1 when the night's challenger was rejected by the gate.",
        "rejected".equals(decision) ? 1 : 0));
    g.add(new Gauge("sparktrain_retrain_data_check_failed", "1 when the night's data checks (or drift) stopped it.",
        "data_check_failed".equals(decision) || "drift_detected".equals(decision) ? 1 : 0));
    g.add(new Gauge("sparktrain_retrain_no_new_data", "1 when there was no new snapshot.",
        "no_new_data".equals(decision) ? 1 : 0));
    g.add(new Gauge("sparktrain_retrain_failed", "1 when training failed or the registry conflicted.",
        "training_failed".equals(decision) || "conflict".equals(decision) ? 1 : 0));
    g.add(new Gauge("sparktrain_retrain_champion_version", "The champion version after the night (0: none).",
        ledger.get("champion_after") instanceof Number n ? n.doubleValue() : 0));
    if (ledger.get("holdout") instanceof Map<?, ?> h) {
      if (h.get("challenger") instanceof Map<?, ?> c && c.get("accuracy") instanceof Number a) {
        g.add(new Gauge("sparktrain_retrain_challenger_holdout_accuracy", "The challenger's holdout accuracy.",
            a.doubleValue()));
      }
      if (h.get("champion") instanceof Map<?, ?> c && c.get("accuracy") instanceof Number a) {
        g.add(new Gauge("sparktrain_retrain_champion_holdout_accuracy", "The champion's holdout accuracy (before the "
            + "night).", a.doubleValue()));
      }
    }
    if (ledger.get("seconds") instanceof Map<?, ?> s && s.get("total") instanceof Number t) {
      g.add(new Gauge("sparktrain_retrain_seconds", "Wall time of the night.", t.doubleValue()));
    }
    return TextfileMetrics.format(labels, g);
  }
}
