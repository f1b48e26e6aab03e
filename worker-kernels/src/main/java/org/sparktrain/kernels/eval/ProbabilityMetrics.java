package org.sparktrain.kernels.eval;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A classifier's metrics that need its probabilities, not only its decisions: per-class ROC-AUC
 * (one vs rest, ties counted half, as the Mann-Whitney statistic) and average precision (the
 * step-wise area under the precision-recall curve, sklearn's {@code average_precision_score}),
 * their macro means, log loss (probabilities clipped to [1e-15, 1 - 1e-15]), the Brier score, and
 * the expected calibration error of the top-class confidence over {@value #BINS} equal-width bins.
 * Accumulated per partition ({@link #add}) and merged ({@link #merge}); the metrics are exact, so
 * every example's probabilities are kept (4 bytes per class and example).
 */
public final class ProbabilityMetrics implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Calibration bins. */
  public static final int BINS = 15;
  private final int classes;
  private float[] probs = new float[0];
  private int[] labels = new int[0];
  private int n;

  public ProbabilityMetrics(int classes) {
    this.classes = classes;
  }

  /** Adds examples: {@code p} holds {@code count x classes} probabilities row by row. */
  public ProbabilityMetrics add(float[] p, int[] y, int count) {
    ensure(n + count);
    System.arraycopy(p, 0, probs, n * classes, count * classes);
    System.arraycopy(y, 0, labels, n, count);
    n += count;
    return this;
  }

  /** Adds {@code o}'s examples to these. */
  public ProbabilityMetrics merge(ProbabilityMetrics o) {
    if (o.classes != classes) {
      throw new IllegalArgumentException(o.classes + " classes merged into " + classes);
    }
    return add(Arrays.copyOf(o.probs, o.n * classes), Arrays.copyOf(o.labels, o.n), o.n);
  }

  private void ensure(int rows) {
    if (labels.length < rows) {
      int cap = Math.max(rows, labels.length * 2);
      labels = Arrays.copyOf(labels, cap);
      probs = Arrays.copyOf(probs, cap * classes);
    }
  }

  /** Examples seen. */
  public int count() {
    return n;
  }

  /** Area under the ROC curve of class {@code c} against the rest; NaN when the class or the rest is absent. */
  public double rocAuc(int c) {
    Integer[] order = byScore(c);
    long pos = positives(c);
    long neg = n - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    // sum of the positives' ranks (ascending, ties averaged)
    double rankSum = 0;
    int i = n - 1;
    int rank = 1;
    while (i >= 0) {
      int j = i;
      float s = probs[order[i] * classes + c];
      while (j > 0 && probs[order[j - 1] * classes + c] == s) {
        j--;
      }
      double avg = rank + (i - j) / 2.0;
      for (int k = j; k <= i; k++) {
        if (labels[order[k]] == c) {
          rankSum += avg;
        }
      }
      rank += i - j + 1;
      i = j - 1;
    }
    return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /** Examples of class {@code c}. */
  private long positives(int c) {
    long pos = 0;
    for (int i = 0; i < n; i++) {
      pos += labels[i] == c ? 1 : 0;
    }
    return pos;
  }

  /** Indices sorted by class {@code c}'s probability, descending. */
  private Integer[] byScore(int c) {
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(probs[b * classes + c], probs[a * classes + c]));
    return order;
  }

  /** Average precision of class {@code c} (sklearn's definition: thresholds at each distinct score). */
  public double averagePrecision(int c) {
    Integer[] order = byScore(c);
    long pos = positives(c);
    if (pos == 0) {
      return Double.NaN;
    }
    double ap = 0;
    double prevRecall = 0;
    long tp = 0;
    int i = 0;
    while (i < n) {
      float s = probs[order[i] * classes + c];
      int j = i;
      while (j < n && probs[order[j] * classes + c] == s) {
        tp += labels[order[j]] == c ? 1 : 0;
        j++;
      }
      double recall = (double) tp / pos;
      double precision = (double) tp / j;
      ap += (recall - prevRecall) * precision;
      prevRecall = recall;
      i = j;
    }
    return ap;
  }

  /** Mean negative log-probability of the true class. */
  public double logLoss() {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double p = Math.min(1 - 1e-15, Math.max(1e-15, probs[i * classes + labels[i]]));
      sum -= Math.log(p);
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Mean over examples of the squared distance between the probabilities and the one-hot label. */
  public double brier() {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < classes; c++) {
        double d = probs[i * classes + c] - (labels[i] == c ? 1 : 0);
        sum += d * d;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /**
   * Expected calibration error: over {@value #BINS} equal-width bins of the top-class confidence,
   * the example-weighted mean of |accuracy - mean confidence| (bins are (k/B, (k+1)/B], the first
   * also holding 0).
   */
  public double expectedCalibrationError() {
    double[] conf = new double[BINS];
    double[] right = new double[BINS];
    int[] count = new int[BINS];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (probs[i * classes + c] > probs[i * classes + best]) {
          best = c;
        }
      }
      double p = probs[i * classes + best];
      int b = Math.min(BINS - 1, Math.max(0, (int) Math.ceil(p * BINS) - 1));
      conf[b] += p;
      right[b] += best == labels[i] ? 1 : 0;
      count[b]++;
    }
    double ece = 0;
    for (int b = 0; b < BINS; b++) {
      if (count[b] > 0) {
        ece += Math.abs(right[b] / count[b] - conf[b] / count[b]) * count[b];
      }
    }
    return n == 0 ? Double.NaN : ece / n;
  }

  /** The evaluation.json entries: per class and macro AUC and AP, log loss, Brier, ECE. */
  public Map<String, Object> toMap(List<String> classNames) {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> auc = new LinkedHashMap<>();
    Map<String, Object> ap = new LinkedHashMap<>();
    double aucSum = 0;
    double apSum = 0;
    int aucN = 0;
    int apN = 0;
    for (int c = 0; c < classes; c++) {
      String name = c < classNames.size() ? classNames.get(c) : String.valueOf(c);
      double a = rocAuc(c);
      double p = averagePrecision(c);
      auc.put(name, Double.isNaN(a) ? null : a);
      ap.put(name, Double.isNaN(p) ? null : p);
      if (!Double.isNaN(a)) {
        aucSum += a;
        aucN++;
      }
      if (!Double.isNaN(p)) {
        apSum += p;
        apN++;
      }
    }
    m.put("roc_auc_macro", aucN == 0 ? null : aucSum / aucN);
    m.put("pr_auc_macro", apN == 0 ? null : apSum / apN);
    if (classes == 2) {
      m.put("roc_auc", auc.get(classNames.size() > 1 ? classNames.get(1) : "1"));
    }
    m.put("roc_auc_per_class", auc);
    m.put("pr_auc_per_class", ap);
    m.put("log_loss", logLoss());
    m.put("brier", brier());
    m.put("ece", expectedCalibrationError());
    m.put("calibration_bins", BINS);
    return m;
  }
}
