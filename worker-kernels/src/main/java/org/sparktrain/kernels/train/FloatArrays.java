package org.sparktrain.kernels.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    return a.reshape(a.length()).toFloatVector();
  }

  /** Overwrites {@code target} (any shape) with {@code values} (same length). */
  public static void assign(INDArray target, float[] values) {
    target.assign(Nd4j.createFromArray(values).reshape(target.shape()));
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
