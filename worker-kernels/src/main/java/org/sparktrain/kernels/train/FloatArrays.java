package org.sparktrain.kernels.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Flat float vectors: copies out of and into ND4J arrays (parameters, updater state), and bulk
 * float[] &lt;-&gt; byte[] conversion (a memory copy, not a per-element loop), so parameter vectors
 * cross Spark's serializers at memory speed.
 */
public final class FloatArrays {
  private FloatArrays() {}

  /** A copy of {@code a}'s values, in order, as one flat array. */
  public static float[] flat(INDArray a) {
    if (bulk(a)) {
      float[] out = new float[(int) a.length()];
      pointer(a).get(out);
      return out;
    }
    return a.reshape(a.length()).toFloatVector();
  }

  /** Overwrites {@code target} (any shape) with {@code values} (same length). */
  public static void assign(INDArray target, float[] values) {
    if (values.length != target.length()) {
      throw new IllegalArgumentException(values.length + " values for an array of " + target.length());
    }
    if (bulk(target)) {
      pointer(target).put(values);
      return;
    }
    target.assign(Nd4j.createFromArray(values).reshape(target.shape()));
  }

  /**
   * A new c-ordered float array of {@code shape} holding {@code values}. ND4J's own
   * {@code Nd4j.create(float[], ...)} copies element by element through bounds-checked indexers
   * (in a profile of the MLP, a visible share of each round on the executors); this is one
   * memory copy.
   */
  public static INDArray create(float[] values, long... shape) {
    INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    assign(a, values);
    return a;
  }

  /** Whether {@code a} owns one contiguous float buffer, in its logical order, from element 0. */
  private static boolean bulk(INDArray a) {
    return a.dataType() == DataType.FLOAT && !a.isView() && a.offset() == 0 && a.data().length() == a.length()
        && (a.ordering() == 'c' || a.rank() <= 1 || a.isVector());
  }

  private static FloatPointer pointer(INDArray a) {
    return new FloatPointer(a.data().addressPointer()).capacity(a.length()).limit(a.length());
  }

  /** Little-endian bytes of {@code a}; null stays null. */
  public static byte[] toBytes(float[] a) {
    if (a == null) {
      return null;
    }
    byte[] b = new byte[a.length * Float.BYTES];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(a);
    return b;
  }

  /** Inverse of {@link #toBytes}. */
  public static float[] fromBytes(byte[] b) {
    if (b == null) {
      return null;
    }
    float[] a = new float[b.length / Float.BYTES];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
    return a;
  }
}
