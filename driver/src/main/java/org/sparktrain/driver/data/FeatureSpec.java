package org.sparktrain.driver.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sparktrain.kernels.data.CorruptDataException;

/**
 * How table rows become examples, fitted on the training rows and saved with the model as
 * {@code features.json}, so test, {@code predict} and {@code evaluate} apply exactly the same
 * transform ({@link RowDecoder} carries it out on Spark's rows): the input columns in order (numeric, a vector / array column, or one-hot encoded
 * categorical columns with their vocabularies), the training means that replace nulls under
 * {@code impute_mean}, the per-feature shift and scale of the normalisation, and the label's class
 * vocabulary (string labels) or class count.
 *
 * @param columns the input columns, in feature order
 * @param label the label column
 * @param classes class names by index: the sorted distinct strings of a string label; for integer
 *     labels {@code "0" .. "n-1"}
 * @param stringLabels whether labels are strings (mapped through {@code classes}) or class indices
 * @param normalize {@code standard}, {@code minmax} or {@code none}
 * @param shift subtracted from each feature
 * @param scale each feature is divided by it after the shift
 */
public record FeatureSpec(
    @JsonProperty("columns") List<Column> columns,
    @JsonProperty("label") String label,
    @JsonProperty("classes") List<String> classes,
    @JsonProperty("string_labels") boolean stringLabels,
    @JsonProperty("normalize") String normalize,
    @JsonProperty("shift") double[] shift,
    @JsonProperty("scale") double[] scale) implements Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The columns' kinds. */
  public enum Kind { NUMERIC, VECTOR, ARRAY, CATEGORICAL }

  /**
   * One input column.
   *
   * @param name its name
   * @param kind how it becomes features
   * @param width features it yields (a vector's size, a vocabulary's size)
   * @param vocabulary categorical: the values in one-hot order (an unseen value yields all zeros)
   * @param impute numeric: the training mean that replaces a null / NaN under {@code impute_mean}, NaN otherwise
   * @param sqlType the Spark SQL type it had in the training data
   */
  public record Column(@JsonProperty("name") String name, @JsonProperty("kind") Kind kind,
                       @JsonProperty("width") int width, @JsonProperty("vocabulary") List<String> vocabulary,
                       @JsonProperty("impute") double impute, @JsonProperty("sql_type") String sqlType)
      implements Serializable {}

  /** Features per example. */
  @JsonIgnore
  public int width() {
    return columns.stream().mapToInt(Column::width).sum();
  }

  /** Classes. */
  @JsonIgnore
  public int numClasses() {
    return classes.size();
  }

  /** The names of the columns the transform reads, features then label. */
  @JsonIgnore
  public List<String> inputColumns() {
    List<String> c = new ArrayList<>(columns.stream().map(Column::name).toList());
    c.add(label);
    return c;
  }

  /** Normalises raw features in place ({@code width()} values at {@code offset}). */
  public void normalize(float[] x, int offset) {
    if (shift == null) {
      return;
    }
    for (int i = 0; i < shift.length; i++) {
      x[offset + i] = (float) ((x[offset + i] - shift[i]) / scale[i]);
    }
  }

  /** {@code features.json}. */
  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@code features.json} ({@code where} names it in errors). */
  public static FeatureSpec fromJson(String json, String where) {
    try {
      return JSON.readValue(json, FeatureSpec.class);
    } catch (IOException e) {
      throw new CorruptDataException(where, "is not a sparktrain features.json: " + e.getMessage());
    }
  }

  /** The scaling of {@code normalize} from per-feature statistics. */
  static double[][] scaling(String normalize, FeatureStats s) {
    int n = s.sum.length;
    double[] shift = new double[n];
    double[] scale = new double[n];
    for (int i = 0; i < n; i++) {
      if ("standard".equals(normalize)) {
        double mean = s.count > 0 ? s.sum[i] / s.count : 0;
        double var = s.count > 0 ? Math.max(0, s.sumSq[i] / s.count - mean * mean) : 0;
        shift[i] = mean;
        scale[i] = var > 1e-24 ? Math.sqrt(var) : 1;
      } else {
        shift[i] = s.min[i];
        double range = s.max[i] - s.min[i];
        scale[i] = range > 1e-12 ? range : 1;
      }
    }
    return new double[][] {shift, scale};
  }

  /** Per-feature count, sum, sum of squares, min and max: one pass on Spark ({@code treeAggregate}). */
  static final class FeatureStats implements Serializable {
    private static final long serialVersionUID = 1L;
    long count;
    final double[] sum;
    final double[] sumSq;
    final double[] min;
    final double[] max;

    FeatureStats(int n) {
      sum = new double[n];
      sumSq = new double[n];
      min = new double[n];
      max = new double[n];
      Arrays.fill(min, Double.POSITIVE_INFINITY);
      Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    FeatureStats add(float[] x) {
      count++;
      for (int i = 0; i < sum.length; i++) {
        double v = x[i];
        sum[i] += v;
        sumSq[i] += v * v;
        min[i] = Math.min(min[i], v);
        max[i] = Math.max(max[i], v);
      }
      return this;
    }

    FeatureStats merge(FeatureStats o) {
      count += o.count;
      for (int i = 0; i < sum.length; i++) {
        sum[i] += o.sum[i];
        sumSq[i] += o.sumSq[i];
        min[i] = Math.min(min[i], o.min[i]);
        max[i] = Math.max(max[i], o.max[i]);
      }
      return this;
    }
  }

  /** A copy with the normalisation set. */
  FeatureSpec withScaling(double[] shift, double[] scale) {
    return new FeatureSpec(columns, label, classes, stringLabels, normalize, shift, scale);
  }

  /** For messages: the columns with their kinds. */
  @Override
  public String toString() {
    return columns.stream().map(c -> c.name() + ":" + c.kind().name().toLowerCase(java.util.Locale.ROOT)).toList()
        + " -> " + label + " " + Map.of("classes", classes.size(), "normalize", normalize);
  }
}
