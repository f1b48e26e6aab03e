package org.sparktrain.kernels.train;

import java.util.SplittableRandom;

/**
 * The order in which one partition's examples are visited in one epoch: a permutation derived
 * only from (seed, epoch, partition), so a retried or re-scheduled task sees the same batches.
 */
public final class BatchPlan {
  private final int[] order;
  private final int batchSize;

  private BatchPlan(int[] order, int batchSize) {
    this.order = order;
    this.batchSize = batchSize;
  }

  /**
   * @param count examples in the partition
   * @param shuffle false keeps file order (used by equivalence tests)
   */
  public static BatchPlan of(int count, int batchSize, long seed, int epoch, int partition, boolean shuffle) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplittableRandom rng = new SplittableRandom(mix(seed, epoch, partition, 0));
      for (int i = count - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return new BatchPlan(order, batchSize);
  }

  /** Number of minibatches in the epoch (the last may be smaller). */
  public int batches() {
    return numBatches(order.length, batchSize);
  }

  /** Number of minibatches for {@code count} examples. */
  public static int numBatches(int count, int batchSize) {
    return (count + batchSize - 1) / batchSize;
  }

  /** Local example indices of minibatch {@code step}. */
  public int[] batch(int step) {
    int from = step * batchSize;
    int to = Math.min(order.length, from + batchSize);
    if (from >= to) {
      return new int[0];
    }
    return java.util.Arrays.copyOfRange(order, from, to);
  }

  /**
   * A well-mixed 64-bit seed from up to four coordinates (SplitMix64 finaliser). Shared by batch
   * order (seed, epoch, partition, 0) and augmentation (seed, epoch, example id, copy).
   */
  public static long mix(long seed, long epoch, long id, long copy) {
    long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + id * 0x94D049BB133111EBL
        + copy * 0xD6E8FEB86659FD93L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
