package org.sparktrain.driver.retrain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.sparktrain.kernels.data.CorruptDataException;

/**
 * What a training snapshot looked like, computed on Spark in two passes over the rows (nothing is
 * collected but per-partition sums): row count, schema, and per feature (a numeric column, or each
 * element of an array / vector column) nulls, range, mean, standard deviation and a histogram over
 * {@value #BINS} equal-width bins of its own range plus one below and one above; per categorical
 * column and the label, value counts. Stored with every registry version ({@code data_profile.json}),
 * it is what the next night's drift and volume checks compare against.
 *
 * @param rows rows in the snapshot
 * @param schema column name to Spark type
 * @param features per numeric feature
 * @param categories per categorical column (and the label): value to count
 */
public record DataProfile(@JsonProperty("rows") long rows, @JsonProperty("schema") Map<String, String> schema,
                          @JsonProperty("features") List<Feature> features,
                          @JsonProperty("categories") Map<String, Map<String, Long>> categories) {
  /** Interior histogram bins. */
  public static final int BINS = 10;
  /** Distinct values kept per categorical column; the rest are counted as {@value #OTHER}. */
  static final int MAX_CATEGORIES = 1000;
  static final String OTHER = "__other__";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * One numeric feature.
   *
   * @param name {@code column} or {@code column[i]}
   * @param column the column it is read from
   * @param nulls rows where it is null or NaN (or the array is shorter)
   * @param edges the {@value #BINS}+1 bin edges (min .. max of this snapshot)
   * @param counts {@value #BINS}+2 counts: below edges[0], the bins, above the last edge
   */
  public record Feature(@JsonProperty("name") String name, @JsonProperty("column") String column,
                        @JsonProperty("nulls") long nulls, @JsonProperty("mean") double mean,
                        @JsonProperty("std") double std, @JsonProperty("edges") double[] edges,
                        @JsonProperty("counts") long[] counts) {}

  /** The profile as JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses {@code data_profile.json}; {@code where} names it in errors. */
  public static DataProfile fromJson(byte[] json, String where) {
    try {
      return JSON.readValue(json, DataProfile.class);
    } catch (IOException e) {
      throw new CorruptDataException(where, "is not a data profile: " + e.getMessage());
    }
  }

  /**
   * A profile and, when a reference was given, this snapshot's histograms over the reference's
   * edges (what drift is measured on), by feature name.
   */
  public record Computed(DataProfile profile, Map<String, long[]> againstReference) {}

  /**
   * Profiles {@code rows}' {@code features} (numeric, array or vector columns; those also listed in
   * {@code categorical} are counted by value) and {@code label}.
   *
   * @param reference the champion's profile whose edges the drift histograms use, or null
   */
  public static Computed compute(Dataset<Row> rows, List<String> features, String label, List<String> categorical,
                                 DataProfile reference) {
    Map<String, String> schema = new LinkedHashMap<>();
    for (StructField f : rows.schema().fields()) {
      schema.put(f.name(), f.dataType().simpleString());
    }
    List<String> cats = new ArrayList<>(categorical == null ? List.of() : categorical);
    if (label != null && !cats.contains(label)) {
      cats.add(label);
    }
    List<Slots> columns = new ArrayList<>();
    for (String c : features) {
      if (cats.contains(c) || !schema.containsKey(c)) {
        continue;
      }
      DataType t = rows.schema().apply(c).dataType();
      int width = t instanceof NumericType ? 1 : width(rows, c);
      columns.add(new Slots(c, rows.schema().fieldIndex(c), width, t instanceof NumericType));
    }
    int n = columns.stream().mapToInt(Slots::width).sum();
    Moments m = rows.javaRDD().mapPartitions((Iterator<Row> it) -> {
      Moments acc = new Moments(n);
      while (it.hasNext()) {
        acc.add(values(it.next(), columns, n));
      }
      return List.of(acc).iterator();
    }).treeReduce(Moments::merge);
    double[][] own = new double[n][];
    for (int i = 0; i < n; i++) {
      own[i] = edges(m.min[i], m.max[i]);
    }
    List<String> names = names(columns);
    double[][] ref = null;
    if (reference != null) {
      Map<String, Feature> byName = new LinkedHashMap<>();
      reference.features().forEach(f -> byName.put(f.name(), f));
      ref = new double[n][];
      for (int i = 0; i < n; i++) {
        Feature f = byName.get(names.get(i));
        ref[i] = f == null ? null : f.edges();
      }
    }
    final double[][] refEdges = ref;
    Histograms h = rows.javaRDD().mapPartitions((Iterator<Row> it) -> {
      Histograms acc = new Histograms(n, refEdges != null);
      while (it.hasNext()) {
        acc.add(values(it.next(), columns, n), own, refEdges);
      }
      return List.of(acc).iterator();
    }).treeReduce(Histograms::merge);
    List<Feature> out = new ArrayList<>();
    Map<String, long[]> against = new LinkedHashMap<>();
    int slot = 0;
    for (Slots c : columns) {
      for (int j = 0; j < c.width(); j++, slot++) {
        long cnt = m.count[slot];
        double mean = cnt == 0 ? Double.NaN : m.sum[slot] / cnt;
        double var = cnt == 0 ? Double.NaN : Math.max(0, m.sumsq[slot] / cnt - mean * mean);
        out.add(new Feature(names.get(slot), c.column(), m.rows - cnt, mean, Math.sqrt(var), own[slot],
            h.own[slot]));
        if (refEdges != null && refEdges[slot] != null) {
          against.put(names.get(slot), h.ref[slot]);
        }
      }
    }
    Map<String, Map<String, Long>> categories = new LinkedHashMap<>();
    for (String c : cats) {
      if (!schema.containsKey(c)) {
        continue;
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      long kept = 0;
      for (Row r : rows.groupBy(functions.col(c).cast("string")).count()
          .orderBy(functions.col("count").desc()).limit(MAX_CATEGORIES).collectAsList()) {
        counts.put(r.isNullAt(0) ? "null" : r.getString(0), r.getLong(1));
        kept += r.getLong(1);
      }
      if (kept < m.rows) {
        counts.merge(OTHER, m.rows - kept, Long::sum);
      }
      categories.put(c, counts);
    }
    return new Computed(new DataProfile(m.rows, schema, out, categories), against);
  }

  /** Interior edges over [lo, hi] (a constant feature gets one degenerate bin). */
  static double[] edges(double lo, double hi) {
    double[] e = new double[BINS + 1];
    if (!(lo <= hi)) {
      lo = 0;
      hi = 0;
    }
    for (int i = 0; i <= BINS; i++) {
      e[i] = lo + (hi - lo) * i / BINS;
    }
    return e;
  }

  /** The bin of {@code x}: 0 below the first edge, 1..BINS inside, BINS+1 above the last. */
  static int bin(double[] e, double x) {
    if (x < e[0]) {
      return 0;
    }
    if (x > e[BINS]) {
      return BINS + 1;
    }
    double w = e[BINS] - e[0];
    if (w <= 0) {
      return 1;
    }
    return 1 + Math.min(BINS - 1, (int) ((x - e[0]) / w * BINS));
  }

  private static int width(Dataset<Row> rows, String c) {
    List<Row> first = rows.select(c).where(functions.col(c).isNotNull()).limit(1).collectAsList();
    if (first.isEmpty()) {
      return 0;
    }
    Object v = first.get(0).get(0);
    if (v instanceof org.apache.spark.ml.linalg.Vector vec) {
      return vec.size();
    }
    if (rows.schema().apply(c).dataType() instanceof ArrayType) {
      return first.get(0).getList(0).size();
    }
    throw new CorruptDataException(c, "column type " + rows.schema().apply(c).dataType().simpleString()
        + " cannot be profiled (numeric, array or vector columns)");
  }

  private static List<String> names(List<Slots> columns) {
    List<String> names = new ArrayList<>();
    for (Slots c : columns) {
      for (int j = 0; j < c.width(); j++) {
        names.add(c.scalar() ? c.column() : c.column() + "[" + j + "]");
      }
    }
    return names;
  }

  /** A row's feature values in slot order; NaN for null. */
  private static double[] values(Row r, List<Slots> columns, int n) {
    double[] x = new double[n];
    int s = 0;
    for (Slots c : columns) {
      Object v = r.isNullAt(c.index()) ? null : r.get(c.index());
      if (c.scalar()) {
        x[s++] = v instanceof Number num ? num.doubleValue() : Double.NaN;
        continue;
      }
      double[] arr = null;
      if (v instanceof org.apache.spark.ml.linalg.Vector vec) {
        arr = vec.toArray();
      } else if (v != null) {
        List<Object> l = r.getList(c.index());
        arr = new double[l.size()];
        for (int i = 0; i < arr.length; i++) {
          arr[i] = l.get(i) instanceof Number num ? num.doubleValue() : Double.NaN;
        }
      }
      for (int j = 0; j < c.width(); j++) {
        x[s++] = arr != null && j < arr.length ? arr[j] : Double.NaN;
      }
    }
    return x;
  }

  /** A feature column and the slots it takes. */
  record Slots(String column, int index, int width, boolean scalar) implements Serializable {}

  /** Pass 1: counts and moments per slot. */
  static final class Moments implements Serializable {
    private static final long serialVersionUID = 1L;
    long rows;
    final long[] count;
    final double[] min;
    final double[] max;
    final double[] sum;
    final double[] sumsq;

    Moments(int n) {
      count = new long[n];
      min = new double[n];
      max = new double[n];
      sum = new double[n];
      sumsq = new double[n];
      java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    void add(double[] x) {
      rows++;
      for (int i = 0; i < x.length; i++) {
        double v = x[i];
        if (Double.isFinite(v)) {
          count[i]++;
          min[i] = Math.min(min[i], v);
          max[i] = Math.max(max[i], v);
          sum[i] += v;
          sumsq[i] += v * v;
        }
      }
    }

    Moments merge(Moments o) {
      rows += o.rows;
      for (int i = 0; i < count.length; i++) {
        count[i] += o.count[i];
        min[i] = Math.min(min[i], o.min[i]);
        max[i] = Math.max(max[i], o.max[i]);
        sum[i] += o.sum[i];
        sumsq[i] += o.sumsq[i];
      }
      return this;
    }
  }

  /** Pass 2: histograms over the snapshot's own edges and over the reference's. */
  static final class Histograms implements Serializable {
    private static final long serialVersionUID = 1L;
    final long[][] own;
    final long[][] ref;

    Histograms(int n, boolean withReference) {
      own = new long[n][BINS + 2];
      ref = withReference ? new long[n][BINS + 2] : null;
    }

    void add(double[] x, double[][] ownEdges, double[][] refEdges) {
      for (int i = 0; i < x.length; i++) {
        double v = x[i];
        if (!Double.isFinite(v)) {
          continue;
        }
        own[i][bin(ownEdges[i], v)]++;
        if (ref != null && refEdges[i] != null) {
          ref[i][bin(refEdges[i], v)]++;
        }
      }
    }

    Histograms merge(Histograms o) {
      for (int i = 0; i < own.length; i++) {
        for (int b = 0; b < BINS + 2; b++) {
          own[i][b] += o.own[i][b];
          if (ref != null) {
            ref[i][b] += o.ref[i][b];
          }
        }
      }
      return this;
    }
  }
}
