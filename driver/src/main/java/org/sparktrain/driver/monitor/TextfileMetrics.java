package org.sparktrain.driver.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code metrics.prom}: a finished run's figures in Prometheus' text format, with HELP and TYPE,
 * for node_exporter's textfile collector (copy it into the collector's directory after a scheduled
 * run): a batch job ends before any scrape of its driver could see it, so "the model is stale" and
 * "last night's run failed" alerts read these instead.
 */
public final class TextfileMetrics {
  private TextfileMetrics() {}

  /** The gauges, by name: help text and value. */
  public record Gauge(String name, String help, double value) {}

  /**
   * @param labels labels every series carries (e.g. {@code run_dir}, {@code engine})
   * @param gauges the series
   */
  public static String format(Map<String, String> labels, List<Gauge> gauges) {
    StringBuilder sb = new StringBuilder();
    String l = labels(labels);
    for (Gauge g : gauges) {
      sb.append("# HELP ").append(g.name()).append(' ').append(g.help()).append('\n');
      sb.append("# TYPE ").append(g.name()).append(" gauge\n");
      sb.append(g.name()).append(l).append(' ').append(number(g.value())).append('\n');
    }
    return sb.toString();
  }

  /** A finished run's {@code metrics.prom}, from its metrics.json map. */
  public static String of(Map<String, Object> metrics, String runDir, String engine, long finishedMillis) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("run_dir", runDir);
    labels.put("engine", engine);
    Object health = metrics.get("health");
    int stragglers = health instanceof Map<?, ?> h && h.get("stragglers") instanceof List<?> s ? s.size() : 0;
    return format(labels, List.of(
        new Gauge("sparktrain_run_success_timestamp_seconds", "When the run finished and published its model (Unix time).",
            finishedMillis / 1000.0),
        new Gauge("sparktrain_run_test_accuracy", "Test accuracy of the run's model.", num(metrics.get("test_accuracy"))),
        new Gauge("sparktrain_run_training_seconds", "Training wall time of the run.", num(metrics.get("training_seconds"))),
        new Gauge("sparktrain_run_samples_per_second", "Training throughput of the run.",
            num(metrics.get("samples_per_second"))),
        new Gauge("sparktrain_run_rounds", "Averaging rounds of the run.", num(metrics.get("rounds_total"))),
        new Gauge("sparktrain_run_rollbacks", "Divergence rollbacks in the run.", num(metrics.get("rollbacks"))),
        new Gauge("sparktrain_run_stragglers", "Replicas and executors flagged as stragglers in the run.", stragglers)));
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static String labels(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("{");
    labels.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(k).append("=\"")
        .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"'));
    return sb.append('}').toString();
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.10g", v);
  }
}
