package org.sparktrain.driver.retrain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sparktrain.driver.config.Choices;
import org.sparktrain.driver.config.TrainConfig;

/**
 * A night's data checks: the snapshot against the champion's training data (its
 * {@code data_profile.json}). Volume (rows within {@code retrain.min_rows_ratio} ..
 * {@code max_rows_ratio} of the champion's), schema (every column the model reads is there with the
 * champion's type), null rates (at most {@code retrain.max_null_rate} per feature column) and
 * per-feature drift: population stability index and Kolmogorov-Smirnov distance of each numeric
 * feature's histogram over the champion's bin edges, PSI of each categorical column's and the label's
 * value shares. Without a champion only the null rates and the columns' presence are checked.
 */
public final class DataChecks {
  private DataChecks() {}

  /** Smoothing added to every bin count so an empty bin does not make PSI infinite. */
  static final double SMOOTHING = 0.5;
  /** Drifted features listed in the report. */
  static final int TOP = 10;

  /**
   * The outcome.
   *
   * @param passed no check failed (drift counts as failed only with {@code retrain.drift.action: fail})
   * @param driftDetected some feature exceeded a drift threshold
   * @param failures why it did not pass, one line each
   * @param report everything measured ({@code data_checks.json})
   */
  public record Report(boolean passed, boolean driftDetected, List<String> failures, Map<String, Object> report) {}

  /** Runs the checks on {@code now} (with histograms over {@code reference}'s edges) against {@code reference} (null: none). */
  public static Report run(DataProfile.Computed now, DataProfile reference, TrainConfig config) {
    TrainConfig.Data d = config.data();
    TrainConfig.Retrain r = config.retrain();
    DataProfile p = now.profile();
    List<String> failures = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("rows", p.rows());
    report.put("reference_rows", reference == null ? null : reference.rows());

    // schema: what the model reads must be there, with the champion's types
    Set<String> read = new LinkedHashSet<>(d.features());
    read.add(d.label());
    if (d.categorical() != null) {
      read.addAll(d.categorical());
    }
    List<String> missing = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (String c : read) {
      String type = p.schema().get(c);
      if (type == null) {
        missing.add(c);
        failures.add("schema: column '" + c + "' is missing (columns now: " + p.schema().keySet() + ")");
      } else if (reference != null && reference.schema().containsKey(c) && !reference.schema().get(c).equals(type)) {
        changed.add(c);
        failures.add("schema: column '" + c + "' is " + type + ", the champion was trained on " + reference.schema()
            .get(c));
      }
    }
    List<String> added = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    if (reference != null) {
      p.schema().keySet().stream().filter(c -> !reference.schema().containsKey(c)).forEach(added::add);
      reference.schema().keySet().stream().filter(c -> !p.schema().containsKey(c) && !read.contains(c))
          .forEach(dropped::add);
      if (!added.isEmpty() || !dropped.isEmpty()) {
        warnings.add("schema: columns the model does not read changed (added " + added + ", dropped " + dropped + ")");
      }
    }
    report.put("schema", Map.of("missing", missing, "type_changed", changed, "added", added, "dropped_unused", dropped));

    // volume
    if (p.rows() == 0) {
      failures.add("volume: the snapshot has no rows");
    } else if (reference != null && reference.rows() > 0) {
      double ratio = (double) p.rows() / reference.rows();
      report.put("rows_ratio", ratio);
      if (ratio < r.minRowsRatio() || ratio > r.maxRowsRatio()) {
        failures.add(String.format(Locale.ROOT, "volume: %,d rows is %.2fx the champion's %,d (allowed %.2fx to %.2fx: "
            + "retrain.min_rows_ratio / max_rows_ratio)", p.rows(), ratio, reference.rows(), r.minRowsRatio(),
            r.maxRowsRatio()));
      }
    }

    // null rates per column
    Map<String, Double> nullRates = new LinkedHashMap<>();
    for (DataProfile.Feature f : p.features()) {
      double rate = p.rows() == 0 ? 0 : (double) f.nulls() / p.rows();
      nullRates.merge(f.column(), rate, Math::max);
    }
    p.categories().forEach((c, counts) -> nullRates.put(c, p.rows() == 0 ? 0
        : (double) counts.getOrDefault("null", 0L) / p.rows()));
    nullRates.forEach((c, rate) -> {
      if (rate > r.maxNullRate()) {
        failures.add(String.format(Locale.ROOT, "nulls: column '%s' has %.2f%% nulls / NaNs (allowed %.2f%%: "
            + "retrain.max_null_rate)", c, 100 * rate, 100 * r.maxNullRate()));
      }
    });
    report.put("null_rates", nullRates);

    // drift
    List<Map<String, Object>> drift = new ArrayList<>();
    int measured = 0;
    if (reference != null) {
      Map<String, DataProfile.Feature> ref = new LinkedHashMap<>();
      reference.features().forEach(f -> ref.put(f.name(), f));
      for (Map.Entry<String, long[]> e : now.againstReference().entrySet()) {
        DataProfile.Feature f = ref.get(e.getKey());
        measured++;
        drift.add(row(e.getKey(), psi(f.counts(), e.getValue()), ks(f.counts(), e.getValue())));
      }
      for (Map.Entry<String, Map<String, Long>> e : p.categories().entrySet()) {
        Map<String, Long> before = reference.categories().get(e.getKey());
        if (before != null) {
          measured++;
          drift.add(row(e.getKey(), categoricalPsi(before, e.getValue()), Double.NaN));
        }
      }
    }
    drift.sort(Comparator.comparingDouble((Map<String, Object> m) -> -(double) m.get("psi")));
    List<Map<String, Object>> drifted = drift.stream().filter(m -> (double) m.get("psi") > r.drift().psi()
        || m.get("ks") instanceof Double k && k > r.drift().ks()).toList();
    boolean driftDetected = !drifted.isEmpty();
    Map<String, Object> dr = new LinkedHashMap<>();
    dr.put("features_measured", measured);
    dr.put("features_drifted", drifted.size());
    dr.put("psi_threshold", r.drift().psi());
    dr.put("ks_threshold", r.drift().ks());
    dr.put("action", r.drift().action());
    dr.put("top", drift.subList(0, Math.min(TOP, drift.size())));
    report.put("drift", dr);
    if (driftDetected) {
      String msg = String.format(Locale.ROOT, "drift: %d of %d features exceed PSI %.2f or KS %.2f (worst: %s)",
          drifted.size(), measured, r.drift().psi(), r.drift().ks(), describe(drifted.subList(0,
              Math.min(3, drifted.size()))));
      if (r.drift().actionChoice() == Choices.DriftAction.FAIL) {
        failures.add(msg);
      } else {
        warnings.add(msg + " (retrain.drift.action: warn: training goes on)");
      }
    }
    report.put("passed", failures.isEmpty());
    report.put("drift_detected", driftDetected);
    report.put("failures", failures);
    report.put("warnings", warnings);
    return new Report(failures.isEmpty(), driftDetected, failures, report);
  }

  private static String describe(List<Map<String, Object>> rows) {
    List<String> s = new ArrayList<>();
    for (Map<String, Object> m : rows) {
      s.add(String.format(Locale.ROOT, "%s PSI %.3f%s", m.get("feature"), (double) m.get("psi"),
          m.get("ks") instanceof Double k ? String.format(Locale.ROOT, " KS %.3f", k) : ""));
    }
    return String.join(", ", s);
  }

  private static Map<String, Object> row(String feature, double psi, double ks) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("feature", feature);
    m.put("psi", psi);
    m.put("ks", Double.isNaN(ks) ? null : ks);
    return m;
  }

  /** Population stability index of {@code actual} against {@code expected} (same bins), smoothed. */
  static double psi(long[] expected, long[] actual) {
    double ne = 0;
    double na = 0;
    for (int i = 0; i < expected.length; i++) {
      ne += expected[i];
      na += actual[i];
    }
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = (expected[i] + SMOOTHING) / (ne + SMOOTHING * expected.length);
      double a = (actual[i] + SMOOTHING) / (na + SMOOTHING * expected.length);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }

  /** Kolmogorov-Smirnov distance of the two histograms' cumulative shares (at the bin edges). */
  static double ks(long[] expected, long[] actual) {
    double ne = java.util.Arrays.stream(expected).sum();
    double na = java.util.Arrays.stream(actual).sum();
    if (ne == 0 || na == 0) {
      return ne == na ? 0 : 1;
    }
    double ce = 0;
    double ca = 0;
    double d = 0;
    for (int i = 0; i < expected.length; i++) {
      ce += expected[i] / ne;
      ca += actual[i] / na;
      d = Math.max(d, Math.abs(ce - ca));
    }
    return d;
  }

  /** PSI over the union of two value-count maps. */
  static double categoricalPsi(Map<String, Long> expected, Map<String, Long> actual) {
    Set<String> keys = new LinkedHashSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    long[] e = new long[keys.size()];
    long[] a = new long[keys.size()];
    int i = 0;
    for (String k : keys) {
      e[i] = expected.getOrDefault(k, 0L);
      a[i++] = actual.getOrDefault(k, 0L);
    }
    return psi(e, a);
  }
}
