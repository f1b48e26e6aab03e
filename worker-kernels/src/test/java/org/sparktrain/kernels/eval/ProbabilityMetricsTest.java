package org.sparktrain.kernels.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Probability-based metrics against scikit-learn's documented examples and, where installed, scikit-learn itself. */
class ProbabilityMetricsTest {
  /** Two classes with class 1's probability {@code s}. */
  private static ProbabilityMetrics binary(float[] s, int[] y) {
    float[] p = new float[s.length * 2];
    for (int i = 0; i < s.length; i++) {
      p[2 * i] = 1 - s[i];
      p[2 * i + 1] = s[i];
    }
    return new ProbabilityMetrics(2).add(p, y, s.length);
  }

  @Test
  void scikitLearnsDocumentedExamples() {
    // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    // average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
    ProbabilityMetrics m = binary(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new int[] {0, 0, 1, 1});
    assertEquals(0.75, m.rocAuc(1), 1e-12);
    assertEquals(5.0 / 6, m.averagePrecision(1), 1e-12);
    // ties count half: one positive and one negative at the same score
    assertEquals(0.5, binary(new float[] {0.5f, 0.5f}, new int[] {0, 1}).rocAuc(1), 1e-12);
    assertTrue(Double.isNaN(binary(new float[] {0.2f, 0.3f}, new int[] {1, 1}).rocAuc(1)), "no negatives");
  }

  @Test
  void mergingPartitionsEqualsOneAccumulator() {
    Fixture f = Fixture.of(200, 4, 9);
    ProbabilityMetrics all = new ProbabilityMetrics(4).add(f.p, f.y, 200);
    ProbabilityMetrics a = new ProbabilityMetrics(4).add(java.util.Arrays.copyOf(f.p, 120 * 4),
        java.util.Arrays.copyOf(f.y, 120), 120);
    ProbabilityMetrics b = new ProbabilityMetrics(4).add(java.util.Arrays.copyOfRange(f.p, 120 * 4, 200 * 4),
        java.util.Arrays.copyOfRange(f.y, 120, 200), 80);
    ProbabilityMetrics merged = a.merge(b);
    assertEquals(all.toMap(List.of()), merged.toMap(List.of()));
  }

  /** Deterministic probabilities (rounded to 2 decimals, so ties occur) with labels correlated to them. */
  record Fixture(float[] p, int[] y) {
    static Fixture of(int n, int k, long seed) {
      Random r = new Random(seed);
      float[] p = new float[n * k];
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        y[i] = r.nextInt(k);
        double[] w = new double[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
          w[c] = Math.exp(r.nextGaussian() + (c == y[i] ? 1.2 : 0));
          sum += w[c];
        }
        float used = 0;
        for (int c = 0; c < k - 1; c++) {
          p[i * k + c] = Math.round(w[c] / sum * 100) / 100f;
          used += p[i * k + c];
        }
        p[i * k + k - 1] = Math.max(0, 1 - used);
      }
      return new Fixture(p, y);
    }
  }

  @Test
  void equalsScikitLearnOnFixedData() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(Files.isExecutable(python) && new ProcessBuilder(python.toString(), "-c", "import sklearn")
        .start().waitFor() == 0, "skipped: no scikit-learn for /usr/bin/python3; apt-get install python3-sklearn "
        + "(bin/ensure-deps does)");
    int n = 300;
    int k = 3;
    Fixture f = Fixture.of(n, k, 5);
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < n; i++) {
      rows.append(f.y[i]);
      for (int c = 0; c < k; c++) {
        rows.append(',').append(String.format(Locale.ROOT, "%.9g", f.p[i * k + c]));
      }
      rows.append('\n');
    }
    Path data = Files.createTempFile("probs", ".csv");
    Files.writeString(data, rows);
    String script = String.join("\n",
        "import sys, numpy as np",
        "from sklearn.metrics import roc_auc_score, average_precision_score, log_loss",
        "d = np.loadtxt(sys.argv[1], delimiter=',', dtype=np.float64)",
        "y, p = d[:, 0].astype(int), d[:, 1:].astype(np.float32).astype(np.float64)",
        "k = p.shape[1]",
        "auc = [roc_auc_score(y == c, p[:, c]) for c in range(k)]",
        "ap = [average_precision_score(y == c, p[:, c]) for c in range(k)]",
        "onehot = np.eye(k)[y]",
        "conf, pred = p.max(1), p.argmax(1)",
        "b = np.clip(np.ceil(conf * 15).astype(int) - 1, 0, 14)",
        "ece = sum(abs((pred[b == i] == y[b == i]).mean() - conf[b == i].mean()) * (b == i).sum() for i in range(15)"
            + " if (b == i).any()) / len(y)",
        "ll = log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=range(k))",
        "print(' '.join(repr(float(v)) for v in auc + ap + [ll, ((p - onehot) ** 2).sum(1).mean(), ece]))");
    Process proc = new ProcessBuilder(python.toString(), "-c", script, data.toString()).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, proc.waitFor(), out);
    // auc per class, ap per class, log loss, brier, ece
    double[] ref = java.util.Arrays.stream(out.lines().reduce((a, b) -> b).orElse("").trim().split(" "))
        .mapToDouble(Double::parseDouble).toArray();
    ProbabilityMetrics m = new ProbabilityMetrics(k).add(f.p, f.y, n);
    for (int c = 0; c < k; c++) {
      assertEquals(ref[c], m.rocAuc(c), 1e-12, "roc auc " + c);
      assertEquals(ref[k + c], m.averagePrecision(c), 1e-12, "average precision " + c);
    }
    // sklearn renormalises rows that do not sum to one exactly; ours read the probabilities as given
    assertEquals(ref[2 * k], m.logLoss(), 1e-6);
    assertEquals(ref[2 * k + 1], m.brier(), 1e-9);
    assertEquals(ref[2 * k + 2], m.expectedCalibrationError(), 1e-9);
    Files.delete(data);
  }
}
