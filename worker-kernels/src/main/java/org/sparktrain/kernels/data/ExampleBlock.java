package org.sparktrain.kernels.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A contiguous run of labelled examples in compact serialised form (no native memory), as a cached
 * partition holds them. Features are either raw unsigned bytes (pixels, scaled to [0, 1] when a
 * minibatch is built: 785 bytes per Fashion-MNIST example, what the IDX file costs) or floats.
 * Labels are class indices (bytes), or float vectors for multi-label and regression targets;
 * sequence examples (shape {@code [time steps, features]}) may carry a per-time-step mask. Example
 * ids are global (position in the source), which keeps every random choice derivable from
 * (seed, epoch, example id).
 */
public final class ExampleBlock implements Serializable {
  private static final long serialVersionUID = 2L;

  private final long firstId;
  private final int count;
  private final int[] shape;
  private final byte[] byteFeatures;
  private final float[] floatFeatures;
  private final LabelKind labelKind;
  private final byte[] classLabels;
  private final float[] labelValues;
  private final int labelWidth;
  private final byte[] mask;

  /**
   * Class-labelled byte examples (images).
   *
   * @param firstId global id of the first example
   * @param shape shape of one example, e.g. {@code [28, 28]}
   * @param features {@code count * product(shape)} unsigned bytes
   * @param labels {@code count} class indices as unsigned bytes
   */
  public ExampleBlock(long firstId, int[] shape, byte[] features, byte[] labels) {
    this(firstId, labels.length, shape, features, null, LabelKind.CLASS, labels, null, 0, null);
  }

  private ExampleBlock(long firstId, int count, int[] shape, byte[] byteFeatures, float[] floatFeatures,
                       LabelKind labelKind, byte[] classLabels, float[] labelValues, int labelWidth, byte[] mask) {
    this.firstId = firstId;
    this.count = count;
    this.shape = shape.clone();
    this.byteFeatures = byteFeatures;
    this.floatFeatures = floatFeatures;
    this.labelKind = labelKind;
    this.classLabels = classLabels;
    this.labelValues = labelValues;
    this.labelWidth = labelWidth;
    this.mask = mask;
    long size = (long) count * featureSize();
    long have = byteFeatures != null ? byteFeatures.length : floatFeatures.length;
    if (have != size) {
      throw new IllegalArgumentException("features hold " + have + " values, expected " + count + " examples x "
          + featureSize());
    }
    int steps = labelKind == LabelKind.SEQUENCE_CLASS || mask != null ? timeSteps() : 1;
    if (labelKind.indexed() && classLabels.length != (long) count * steps) {
      throw new IllegalArgumentException("labels hold " + classLabels.length + " class indices, expected " + count
          + " examples x " + steps);
    }
    if (!labelKind.indexed() && (labelWidth < 1 || labelValues.length != (long) count * labelWidth)) {
      throw new IllegalArgumentException("labels hold " + labelValues.length + " values, expected " + count
          + " examples x width " + labelWidth);
    }
    if (mask != null && mask.length != (long) count * steps) {
      throw new IllegalArgumentException("mask holds " + mask.length + " values, expected " + count
          + " examples x " + steps + " time steps");
    }
  }

  /**
   * Float examples with any kind of label.
   *
   * @param shape one example's shape; sequences are {@code [time steps, features]}
   * @param features {@code count * product(shape)} values
   * @param kind what the labels are
   * @param classLabels class indices ({@link LabelKind#CLASS}: one per example;
   *     {@link LabelKind#SEQUENCE_CLASS}: one per time step), else null
   * @param labelValues {@code count * labelWidth} targets for {@link LabelKind#MULTI_LABEL} and
   *     {@link LabelKind#REGRESSION}, else null
   * @param mask per-time-step 1 (present) / 0 (padding), {@code count * timeSteps}, or null
   */
  public static ExampleBlock ofFloats(long firstId, int count, int[] shape, float[] features, LabelKind kind,
                                      byte[] classLabels, float[] labelValues, int labelWidth, byte[] mask) {
    return new ExampleBlock(firstId, count, shape, null, features, kind, classLabels, labelValues,
        kind.indexed() ? 0 : labelWidth, mask);
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

  /** Time steps of a sequence example (the first dimension of its shape). */
  public int timeSteps() {
    return shape[0];
  }

  /** Features per time step of a sequence example. */
  public int stepSize() {
    return featureSize() / shape[0];
  }

  /** Whether examples are sequences (per-time-step labels, or a mask). */
  public boolean isSequence() {
    return labelKind == LabelKind.SEQUENCE_CLASS || mask != null;
  }

  /** What the labels are. */
  public LabelKind labelKind() {
    return labelKind;
  }

  /** Whether features are stored as unsigned bytes (scaled to [0, 1] when read). */
  public boolean byteFeatures() {
    return byteFeatures != null;
  }

  /** Width of a label vector: {@code numClasses} for class labels, else the stored width. */
  public int labelSize(int numClasses) {
    return labelKind.indexed() ? numClasses : labelWidth;
  }

  /** Class index of example {@code i} (local index); class labels only. */
  public int label(int i) {
    if (labelKind != LabelKind.CLASS) {
      throw new IllegalStateException("label(i) needs class labels; this block holds " + labelKind);
    }
    return classLabels[i] & 0xff;
  }

  /** Class index of time step {@code t} of example {@code i}; per-step class labels only. */
  public int label(int i, int t) {
    return classLabels[i * timeSteps() + t] & 0xff;
  }

  /** Largest class index in the block, -1 without class labels or examples. */
  public int maxLabel() {
    if (!labelKind.indexed()) {
      return -1;
    }
    int max = -1;
    for (byte b : classLabels) {
      max = Math.max(max, b & 0xff);
    }
    return max;
  }

  /**
   * Writes example {@code i}'s label vector (one-hot for a class) into {@code dst} at {@code offset},
   * which must be zeroed; {@code numClasses} wide for class labels. Not for per-step labels.
   */
  public void writeLabel(int i, float[] dst, int offset, int numClasses) {
    switch (labelKind) {
      case CLASS -> dst[offset + (classLabels[i] & 0xff)] = 1f;
      case MULTI_LABEL, REGRESSION -> System.arraycopy(labelValues, i * labelWidth, dst, offset, labelWidth);
      case SEQUENCE_CLASS -> throw new IllegalStateException("per-step labels are written with the time layout");
    }
  }

  /** Whether time step {@code t} of example {@code i} is present (always true without a mask). */
  public boolean present(int i, int t) {
    return mask == null || mask[i * timeSteps() + t] != 0;
  }

  /** Whether the block carries a per-time-step mask. */
  public boolean hasMask() {
    return mask != null;
  }

  /**
   * Copies example {@code i}'s features into {@code dst} at {@code offset}: bytes scaled to [0, 1],
   * floats as stored.
   */
  public void copyFeatures(int i, float[] dst, int offset) {
    int size = featureSize();
    int base = i * size;
    if (byteFeatures == null) {
      System.arraycopy(floatFeatures, base, dst, offset, size);
      return;
    }
    for (int j = 0; j < size; j++) {
      dst[offset + j] = (byteFeatures[base + j] & 0xff) * (1f / 255f);
    }
  }

  /** Raw bytes of example {@code i} (a copy); byte features only. */
  public byte[] rawFeatures(int i) {
    if (byteFeatures == null) {
      throw new IllegalStateException("this block holds float features");
    }
    int size = featureSize();
    return Arrays.copyOfRange(byteFeatures, i * size, (i + 1) * size);
  }

  @Override
  public String toString() {
    return "ExampleBlock[first=" + firstId + ", count=" + count + ", shape=" + Arrays.toString(shape) + ", "
        + (byteFeatures != null ? "bytes" : "floats") + ", " + labelKind + (mask != null ? ", masked" : "") + "]";
  }
}
