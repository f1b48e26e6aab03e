package org.sparktrain.kernels.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A contiguous run of labelled examples, kept as raw unsigned bytes (one byte per pixel, one per
 * label) so a cached partition costs what the IDX file costs: 785 bytes per Fashion-MNIST example,
 * no native memory. Example ids are global (position in the source file), which keeps every random
 * choice derivable from (seed, epoch, example id).
 */
public final class ExampleBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long firstId;
  private final int count;
  private final int[] shape;
  private final byte[] features;
  private final byte[] labels;

  /**
   * @param firstId global id of the first example
   * @param shape shape of one example, e.g. {@code [28, 28]}
   * @param features {@code count * product(shape)} unsigned bytes
   * @param labels {@code count} class indices as unsigned bytes
   */
  public ExampleBlock(long firstId, int[] shape, byte[] features, byte[] labels) {
    this.firstId = firstId;
    this.shape = shape.clone();
    this.count = labels.length;
    this.features = features;
    this.labels = labels;
    int size = featureSize();
    if ((long) count * size != features.length) {
      throw new IllegalArgumentException("features hold " + features.length + " bytes, expected "
          + count + " examples x " + size);
    }
  }

  public long firstId() {
    return firstId;
  }

  public int count() {
    return count;
  }

  /** Shape of one example (without the batch dimension). */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of values per example. */
  public int featureSize() {
    int s = 1;
    for (int d : shape) {
      s *= d;
    }
    return s;
  }

  /** Class index of example {@code i} (local index). */
  public int label(int i) {
    return labels[i] & 0xff;
  }

  /**
   * Copies example {@code i}'s features scaled to [0, 1] into {@code dst} at {@code offset}.
   */
  public void copyFeatures(int i, float[] dst, int offset) {
    int size = featureSize();
    int base = i * size;
    for (int j = 0; j < size; j++) {
      dst[offset + j] = (features[base + j] & 0xff) * (1f / 255f);
    }
  }

  /** Raw bytes of example {@code i} (a copy). */
  public byte[] rawFeatures(int i) {
    int size = featureSize();
    return Arrays.copyOfRange(features, i * size, (i + 1) * size);
  }

  @Override
  public String toString() {
    return "ExampleBlock[first=" + firstId + ", count=" + count + ", shape=" + Arrays.toString(shape) + "]";
  }
}
