package org.sparktrain.kernels.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bulk float[] &lt;-&gt; byte[] conversion (a memory copy, not a per-element loop), so parameter
 * vectors cross Spark's serializers at memory speed.
 */
public final class FloatArrays {
  private FloatArrays() {}

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
