package org.sparktrain.kernels.prune;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Which values of a flat parameter vector are pruned: a bit per parameter, set when the value is
 * held at exactly zero. Immutable; the driver computes a mask from the averaged parameters and posts
 * it with every round, and each replica applies it after every update (zeroing the pruned weights
 * and their optimiser state, see {@link MaskApplier}).
 */
public final class PruningMask implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long length;
  private final long[] bits;
  private final long pruned;

  private PruningMask(long length, long[] bits) {
    if (length < 0 || bits.length != words(length)) {
      throw new IllegalArgumentException("a mask of " + length + " values needs " + words(length) + " words, got "
          + bits.length);
    }
    this.length = length;
    this.bits = bits;
    long n = 0;
    for (long w : bits) {
      n += Long.bitCount(w);
    }
    this.pruned = n;
  }

  /** A mask over {@code length} parameters pruning nothing. */
  public static PruningMask none(long length) {
    return new PruningMask(length, new long[words(length)]);
  }

  /** A mask pruning exactly the positions {@code pruned[i]} is true for. */
  public static PruningMask of(boolean[] pruned) {
    long[] b = new long[words(pruned.length)];
    for (int i = 0; i < pruned.length; i++) {
      if (pruned[i]) {
        b[i >>> 6] |= 1L << i;
      }
    }
    return new PruningMask(pruned.length, b);
  }

  static PruningMask ofBits(long length, long[] bits) {
    return new PruningMask(length, bits);
  }

  private static int words(long length) {
    return (int) ((length + 63) >>> 6);
  }

  /** Parameters the mask covers (the model's parameter count). */
  public long length() {
    return length;
  }

  /** Whether parameter {@code i} is pruned. */
  public boolean isPruned(long i) {
    return (bits[(int) (i >>> 6)] & (1L << i)) != 0;
  }

  /** Pruned parameters. */
  public long prunedCount() {
    return pruned;
  }

  /** Pruned parameters in {@code [offset, offset + n)}. */
  public long prunedIn(long offset, long n) {
    long c = 0;
    for (long i = offset; i < offset + n; i++) {
      if (isPruned(i)) {
        c++;
      }
    }
    return c;
  }

  /** Sets the pruned positions of {@code params} to zero (in place) and returns it. */
  public float[] zero(float[] params) {
    requireLength(params.length, "parameter vector");
    for (int w = 0; w < bits.length; w++) {
      long word = bits[w];
      while (word != 0) {
        int bit = Long.numberOfTrailingZeros(word);
        params[(w << 6) + bit] = 0f;
        word &= word - 1;
      }
    }
    return params;
  }

  /** Whether every pruned position of {@code params} is exactly zero. */
  public boolean holdsIn(float[] params) {
    requireLength(params.length, "parameter vector");
    for (int i = 0; i < params.length; i++) {
      if (isPruned(i) && params[i] != 0f) {
        return false;
      }
    }
    return true;
  }

  /** Whether this mask prunes everything {@code other} prunes (masks only grow during a run). */
  public boolean contains(PruningMask other) {
    if (other.length != length) {
      return false;
    }
    for (int w = 0; w < bits.length; w++) {
      if ((other.bits[w] & ~bits[w]) != 0) {
        return false;
      }
    }
    return true;
  }

  long[] bits() {
    return bits;
  }

  private void requireLength(long n, String what) {
    if (n != length) {
      throw new IllegalArgumentException("the pruning mask covers " + length + " parameters, the " + what + " holds "
          + n);
    }
  }

  /** The mask as bytes: its length (8 bytes, little-endian) then its bit words. */
  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(8 + 8 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(length);
    b.asLongBuffer().put(bits);
    return b.array();
  }

  /** Reads {@link #toBytes}; throws naming what is wrong with a damaged file. */
  public static PruningMask fromBytes(byte[] bytes) {
    if (bytes.length < 8 || (bytes.length - 8) % 8 != 0) {
      throw new IllegalArgumentException("a pruning mask file holds 8 + 8 x words bytes, this one " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long length = b.getLong();
    long[] bits = new long[(bytes.length - 8) / 8];
    b.asLongBuffer().get(bits);
    if (bits.length != words(length)) {
      throw new IllegalArgumentException("a pruning mask of " + length + " values needs " + words(length)
          + " words, the file holds " + bits.length);
    }
    return new PruningMask(length, bits);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PruningMask m && m.length == length && Arrays.equals(m.bits, bits);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(length) * 31 + Arrays.hashCode(bits);
  }

  @Override
  public String toString() {
    return "PruningMask[" + pruned + " of " + length + " pruned]";
  }
}
