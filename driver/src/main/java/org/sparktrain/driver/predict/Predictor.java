package org.sparktrain.driver.predict;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.apache.spark.sql.catalyst.InternalRow;
import org.sparktrain.driver.data.FeatureSpec;
import org.sparktrain.driver.data.RowDecoder;
import org.sparktrain.driver.data.TableSource;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.train.FloatArrays;

/**
 * Scores a table on the executors: the model's spec and parameters are broadcast once, each
 * executor thread builds the network once per broadcast and keeps it (DL4J networks are not safe
 * for concurrent inference), rows are transformed by the model's {@link FeatureSpec} and scored
 * in batches, so memory per task is bounded by the batch. Output rows: the kept input columns,
 * {@code prediction} (the class name of a string label, else the class index) and
 * {@code probability} (one per class).
 */
public final class Predictor {
  private Predictor() {}

  /**
   * The network each executor thread built last, with the broadcast it came from: a thread keeps
   * one network, replaced when it scores with another model, so memory stays bounded however many
   * predictions one JVM runs.
   */
  private static final ThreadLocal<Map.Entry<Long, Network>> BUILT = new ThreadLocal<>();

  private static Network network(ModelSpec model, Broadcast<float[]> params) {
    Map.Entry<Long, Network> built = BUILT.get();
    if (built == null || built.getKey() != params.id()) {
      built = Map.entry(params.id(), model.build(params.value()));
      BUILT.set(built);
    }
    return built.getValue();
  }

  /**
   * The scored rows of {@code input} (lazy: a Spark action runs it).
   *
   * @param keep input columns copied to the output (ids, timestamps)
   * @param at names the input in errors
   */
  public static Dataset<Row> score(SparkSession spark, Network net, FeatureSpec spec, Dataset<Row> input,
                                   List<String> keep, int batch, String at) {
    TableSource.requireMatches(spec, input.schema(), at);
    List<String> names = java.util.Arrays.asList(input.schema().fieldNames());
    for (String k : keep) {
      if (!names.contains(k)) {
        throw new CorruptDataException(at, "has no column '" + k + "' (--keep); columns: " + names);
      }
    }
    List<Column> cols = new ArrayList<>();
    spec.columns().forEach(c -> cols.add(org.apache.spark.sql.functions.col(c.name())));
    keep.forEach(k -> cols.add(org.apache.spark.sql.functions.col(k)));
    Dataset<Row> selected = input.select(cols.toArray(Column[]::new));
    StructType out = new StructType();
    for (String k : keep) {
      out = out.add(input.schema().apply(k));
    }
    out = out.add("prediction", spec.stringLabels() ? DataTypes.StringType : DataTypes.IntegerType, false)
        .add("probability", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<float[]> params = sc.broadcast(FloatArrays.flat(net.params()));
    // Spark's internal rows: a float array column is copied in one call, numbers are not boxed
    RowDecoder decoder = new RowDecoder(spec, selected.schema());
    org.apache.spark.sql.types.DataType[] keptTypes = keep.stream().map(k -> input.schema().apply(k).dataType())
        .toArray(org.apache.spark.sql.types.DataType[]::new);
    JavaRDD<InternalRow> scored = selected.queryExecution().toRdd().toJavaRDD().mapPartitions(new ScorePartition(
        net.spec(), params, spec, decoder, spec.columns().size(), keptTypes, batch));
    return spark.internalCreateDataFrame(scored.rdd(), out, false);
  }

  /** Scores one partition in batches. */
  static final class ScorePartition implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final long serialVersionUID = 2L;
    private final ModelSpec model;
    private final Broadcast<float[]> params;
    private final FeatureSpec spec;
    private final RowDecoder decoder;
    private final int featureColumns;
    private final org.apache.spark.sql.types.DataType[] kept;
    private final int batch;

    ScorePartition(ModelSpec model, Broadcast<float[]> params, FeatureSpec spec, RowDecoder decoder, int featureColumns,
                   org.apache.spark.sql.types.DataType[] kept, int batch) {
      this.model = model;
      this.params = params;
      this.spec = spec;
      this.decoder = decoder;
      this.featureColumns = featureColumns;
      this.kept = kept;
      this.batch = batch;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
      Network net = network(model, params);
      int w = spec.width();
      float[] x = new float[batch * w];
      java.util.ArrayDeque<InternalRow> ready = new java.util.ArrayDeque<>(batch);
      Object[][] keptValues = new Object[batch][];
      org.apache.spark.unsafe.types.UTF8String[] names = spec.classes().stream()
          .map(org.apache.spark.unsafe.types.UTF8String::fromString).toArray(org.apache.spark.unsafe.types.UTF8String[]::new);
      // lazily, one batch at a time: a task holds at most one batch of input and output rows
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          if (ready.isEmpty() && rows.hasNext()) {
            scoreNextBatch();
          }
          return !ready.isEmpty();
        }

        @Override
        public InternalRow next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return ready.poll();
        }

        private void scoreNextBatch() {
          int n = 0;
          while (rows.hasNext() && n < batch) {
            InternalRow r = rows.next(); // reused by Spark: read it now
            decoder.features(r, x, n * w);
            Object[] k = new Object[kept.length];
            for (int i = 0; i < kept.length; i++) {
              Object v = r.isNullAt(featureColumns + i) ? null : r.get(featureColumns + i, kept[i]);
              k[i] = v instanceof org.apache.spark.unsafe.types.UTF8String u ? u.copy()
                  : v instanceof org.apache.spark.sql.catalyst.util.ArrayData a ? a.copy()
                  : v instanceof InternalRow s ? s.copy() : v;
            }
            keptValues[n] = k;
            n++;
          }
          INDArray p = net.output(Nd4j.create(java.util.Arrays.copyOf(x, n * w), new long[] {n, w}, 'c'))[0];
          float[] probs = p.dup('c').data().asFloat();
          int classes = (int) p.size(1);
          for (int i = 0; i < n; i++) {
            double[] prob = new double[classes];
            int best = 0;
            for (int c = 0; c < classes; c++) {
              prob[c] = probs[i * classes + c];
              if (prob[c] > prob[best]) {
                best = c;
              }
            }
            Object[] values = new Object[kept.length + 2];
            System.arraycopy(keptValues[i], 0, values, 0, kept.length);
            values[kept.length] = spec.stringLabels() ? names[best] : (Object) best;
            values[kept.length + 1] = org.apache.spark.sql.catalyst.expressions.UnsafeArrayData.fromPrimitiveArray(prob);
            ready.add(new org.apache.spark.sql.catalyst.expressions.GenericInternalRow(values));
          }
        }
      };
    }
  }
}
