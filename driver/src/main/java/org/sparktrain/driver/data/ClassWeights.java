package org.sparktrain.driver.data;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.LabelKind;

/**
 * {@code training.class_weights} turned into one loss weight per class: {@code balanced} weighs
 * class c by {@code n / (classes x n_c)} (scikit-learn's "balanced"; a class absent from the
 * training data gets 1), a map names classes (by name, where the data has names, or by index) and
 * leaves the others at 1. Labels are counted where they are cached (a job over the partitions).
 */
public final class ClassWeights {
  private ClassWeights() {}

  /** Examples per class of a split (distributed or local). */
  public static long[] counts(DistributedDataset distributed, ExampleBlock local, int numClasses) {
    if (distributed != null) {
      return distributed.blocks().map(b -> count(b, numClasses)).reduce((a, b) -> {
        for (int i = 0; i < a.length; i++) {
          a[i] += b[i];
        }
        return a;
      });
    }
    return count(local, numClasses);
  }

  private static long[] count(ExampleBlock b, int numClasses) {
    long[] c = new long[numClasses];
    if (b.labelKind() == LabelKind.CLASS) {
      for (int i = 0; i < b.count(); i++) {
        c[b.label(i)]++;
      }
    }
    return c;
  }

  /**
   * The weights, or null for {@code none}.
   *
   * @param setting the config value: "none", "balanced" or a map class -> weight
   * @param classes class names by index (empty: indices only)
   * @param counts examples per class in the training data
   */
  public static double[] of(Object setting, List<String> classes, long[] counts) {
    return of(setting, classes, () -> counts);
  }

  /**
   * {@link #of(Object, List, long[])} counting the labels (a Spark job) only when the setting needs
   * them: never for {@code none}.
   */
  public static double[] of(Object setting, List<String> classes, java.util.function.Supplier<long[]> countLabels) {
    if (setting == null || "none".equals(setting)) {
      return null;
    }
    long[] counts = countLabels.get();
    int k = counts.length;
    double[] w = new double[k];
    Arrays.fill(w, 1);
    if ("balanced".equals(setting)) {
      long n = Arrays.stream(counts).sum();
      for (int c = 0; c < k; c++) {
        w[c] = counts[c] > 0 ? (double) n / ((double) k * counts[c]) : 1;
      }
      return w;
    }
    Map<?, ?> m = (Map<?, ?>) setting;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String name = String.valueOf(e.getKey());
      int c = classes.indexOf(name);
      if (c < 0) {
        try {
          c = Integer.parseInt(name);
        } catch (NumberFormatException ex) {
          c = -1;
        }
      }
      if (c < 0 || c >= k) {
        throw new ConfigException("training.class_weights", "names class '" + name + "', which the training data does "
            + "not have; classes: " + (classes.isEmpty() ? "0.." + (k - 1) : classes.toString()));
      }
      w[c] = ((Number) e.getValue()).doubleValue();
    }
    return w;
  }
}
