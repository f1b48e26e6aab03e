package org.sparktrain.driver.data;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * {@link FeatureSpec}'s transform on Spark's internal rows (what {@code Dataset.queryExecution().toRdd()}
 * yields): numbers are read without boxing and a float array column is copied in one call
 * ({@code ArrayData.toFloatArray}), which is what makes reading a table cheaper than training on it.
 * Rows hold the spec's {@link FeatureSpec#inputColumns()} in order. Errors name the column, as the
 * {@code Row} path does.
 */
public final class RowDecoder implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final VectorUDT VECTORS = new VectorUDT();
  private final FeatureSpec spec;
  private final DataType[] types;
  private final DataType labelType;

  /**
   * @param schema the schema of rows holding the spec's feature columns first, in order (then the
   *     label, when it is to be read)
   */
  public RowDecoder(FeatureSpec spec, StructType schema) {
    this.spec = spec;
    List<FeatureSpec.Column> cols = spec.columns();
    types = new DataType[cols.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = schema.apply(cols.get(i).name()).dataType();
    }
    labelType = java.util.Arrays.asList(schema.fieldNames()).contains(spec.label())
        ? schema.apply(spec.label()).dataType() : null;
  }

  /** Raw features of {@code r} into {@code dst} at {@code offset}, then normalised. */
  public void features(InternalRow r, float[] dst, int offset) {
    int o = offset;
    List<FeatureSpec.Column> cols = spec.columns();
    for (int c = 0; c < types.length; c++) {
      FeatureSpec.Column col = cols.get(c);
      switch (col.kind()) {
        case NUMERIC -> {
          double x = r.isNullAt(c) ? Double.NaN : number(r, c, types[c]);
          if (Double.isNaN(x)) {
            if (Double.isNaN(col.impute())) {
              throw new IllegalArgumentException("column '" + col.name() + "' is null or NaN");
            }
            x = col.impute();
          }
          dst[o++] = (float) x;
        }
        case ARRAY -> {
          if (r.isNullAt(c)) {
            throw new IllegalArgumentException("column '" + col.name() + "' is null");
          }
          ArrayData a = r.getArray(c);
          width(col, a.numElements());
          DataType e = ((ArrayType) types[c]).elementType();
          if (((ArrayType) types[c]).containsNull() && hasNull(a)) {
            throw new IllegalArgumentException("column '" + col.name() + "' holds a null element");
          }
          if (e instanceof FloatType) {
            System.arraycopy(a.toFloatArray(), 0, dst, o, col.width());
          } else if (e instanceof DoubleType) {
            double[] d = a.toDoubleArray();
            for (int i = 0; i < d.length; i++) {
              dst[o + i] = (float) d[i];
            }
          } else {
            for (int i = 0; i < col.width(); i++) {
              dst[o + i] = (float) number(a, i, e);
            }
          }
          o += col.width();
        }
        case VECTOR -> {
          if (r.isNullAt(c)) {
            throw new IllegalArgumentException("column '" + col.name() + "' is null");
          }
          double[] v = VECTORS.deserialize(r.getStruct(c, 4)).toArray();
          width(col, v.length);
          for (int i = 0; i < v.length; i++) {
            dst[o + i] = (float) v[i];
          }
          o += v.length;
        }
        case CATEGORICAL -> {
          int at = -1;
          if (!r.isNullAt(c)) {
            String s = types[c] instanceof StringType ? r.getUTF8String(c).toString() : String.valueOf(r.get(c, types[c]));
            at = col.vocabulary().indexOf(s);
          }
          for (int k = 0; k < col.width(); k++) {
            dst[o + k] = k == at ? 1f : 0f;
          }
          o += col.width();
        }
      }
    }
    spec.normalize(dst, offset);
  }

  /** The class index of {@code r}'s label. */
  int label(InternalRow r) {
    int c = types.length;
    if (r.isNullAt(c)) {
      throw new IllegalArgumentException("label column '" + spec.label() + "' is null");
    }
    if (spec.stringLabels()) {
      String v = r.getUTF8String(c).toString();
      int i = spec.classes().indexOf(v);
      if (i < 0) {
        throw new IllegalArgumentException("label '" + v + "' of column '" + spec.label() + "' is not in the class map "
            + spec.classes());
      }
      return i;
    }
    double d = number(r, c, labelType);
    if (d != Math.rint(d) || d < 0 || d >= spec.numClasses()) {
      throw new IllegalArgumentException("label " + d + " of column '" + spec.label() + "' is outside the classes 0.."
          + (spec.numClasses() - 1));
    }
    return (int) d;
  }

  private static void width(FeatureSpec.Column col, int n) {
    if (n != col.width()) {
      throw new IllegalArgumentException("column '" + col.name() + "' holds " + n + " values, the training data's "
          + col.width());
    }
  }

  private static boolean hasNull(ArrayData a) {
    for (int i = 0; i < a.numElements(); i++) {
      if (a.isNullAt(i)) {
        return true;
      }
    }
    return false;
  }

  private static double number(org.apache.spark.sql.catalyst.expressions.SpecializedGetters g, int i, DataType t) {
    if (t instanceof DoubleType) {
      return g.getDouble(i);
    }
    if (t instanceof FloatType) {
      return g.getFloat(i);
    }
    if (t instanceof IntegerType) {
      return g.getInt(i);
    }
    if (t instanceof LongType) {
      return g.getLong(i);
    }
    if (t instanceof ShortType) {
      return g.getShort(i);
    }
    if (t instanceof ByteType) {
      return g.getByte(i);
    }
    if (t instanceof DecimalType d) {
      return g.getDecimal(i, d.precision(), d.scale()).toDouble();
    }
    throw new IllegalArgumentException("type " + t.simpleString() + " is not numeric");
  }
}
