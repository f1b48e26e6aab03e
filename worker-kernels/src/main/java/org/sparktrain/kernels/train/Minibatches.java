package org.sparktrain.kernels.train;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.LabelKind;

/**
 * Builds minibatches from an {@link ExampleBlock}: features scaled to [0, 1] (byte blocks) or as
 * stored, labels one-hot (class indices) or as stored (vectors), laid out as DL4J expects: flat
 * {@code [n, features]} for single examples, {@code [n, features, time]} with an optional
 * {@code [n, time]} mask for sequences. Index {@code v} of a minibatch names copy
 * {@code v / count} of local example {@code v % count}; each copy's augmentation is drawn from
 * (seed, epoch, global example id, copy).
 */
public final class Minibatches {
  private Minibatches() {}

  /** One augmented minibatch, in fresh arrays. */
  public static DataSet dataSet(ExampleBlock block, int[] virtual, int numClasses, AugmentationPipeline aug, long seed,
                                int epoch) {
    Buffer b = new Buffer(block, virtual.length, numClasses);
    b.fill(block, virtual, numClasses, aug, seed, epoch);
    return b.data();
  }

  /** One minibatch without augmentation, in fresh arrays. */
  public static DataSet dataSet(ExampleBlock block, int[] indices, int numClasses) {
    return dataSet(block, indices, numClasses, AugmentationPipeline.none(), 0, 0);
  }

  /**
   * Minibatch storage for one batch size, reused from step to step: a step allocates neither Java
   * nor native memory for its input (DL4J reads the arrays only during {@code fit}).
   */
  public static final class Buffer {
    private final int n;
    private final boolean sequence;
    private final boolean stepLabels;
    private final int steps;
    private final float[] x;
    private final float[] y;
    private final float[] m;
    private final DataSet data;

    public Buffer(ExampleBlock block, int n, int numClasses) {
      this.n = n;
      this.sequence = block.isSequence();
      this.stepLabels = block.labelKind() == LabelKind.SEQUENCE_CLASS;
      this.steps = sequence ? block.timeSteps() : 1;
      int size = block.featureSize();
      int labels = block.labelSize(numClasses);
      x = new float[n * size];
      y = new float[n * labels * (stepLabels ? steps : 1)];
      m = block.hasMask() ? new float[n * steps] : null;
      INDArray features = sequence ? FloatArrays.create(x, n, block.stepSize(), steps) : FloatArrays.create(x, n, size);
      INDArray lab = stepLabels ? FloatArrays.create(y, n, labels, steps) : FloatArrays.create(y, n, labels);
      INDArray mask = m == null ? null : FloatArrays.create(m, n, steps);
      data = new DataSet(features, lab, mask, stepLabels ? mask : null);
    }

    /** Whether this buffer fits minibatches of {@code rows} examples of {@code block}. */
    public boolean fits(ExampleBlock block, int rows, int numClasses) {
      return rows == n && x.length == n * block.featureSize()
          && y.length == n * block.labelSize(numClasses) * (stepLabels ? steps : 1);
    }

    /** The minibatch, holding what {@link #fill} wrote last. */
    public DataSet data() {
      return data;
    }

    /** Writes the minibatch of {@code virtual} into the arrays {@link #data} holds. */
    public DataSet fill(ExampleBlock block, int[] virtual, int numClasses, AugmentationPipeline aug, long seed,
                        int epoch) {
      Arrays.fill(y, 0f);
      write(block, virtual, numClasses, aug, seed, epoch);
      FloatArrays.assign(data.getFeatures(), x);
      FloatArrays.assign(data.getLabels(), y);
      if (m != null) {
        FloatArrays.assign(data.getFeaturesMaskArray(), m);
      }
      return data;
    }

    private void write(ExampleBlock block, int[] virtual, int numClasses, AugmentationPipeline aug, long seed,
                       int epoch) {
      int size = block.featureSize();
      int labels = block.labelSize(numClasses);
      if (aug.isIdentity() && !sequence) {
        for (int r = 0; r < n; r++) {
          block.copyFeatures(virtual[r], x, r * size);
          block.writeLabel(virtual[r], y, r * labels, numClasses);
        }
        return;
      }
      float[] one = new float[size];
      long[] ids = new long[n];
      int[] copies = new int[n];
      int[] shape = block.shape();
      for (int r = 0; r < n; r++) {
        int i = virtual[r] % block.count();
        int copy = virtual[r] / block.count();
        ids[r] = block.firstId() + i;
        copies[r] = copy;
        block.copyFeatures(i, one, 0);
        if (!aug.isIdentity()) {
          aug.apply(one, shape, seed, epoch, ids[r], copy);
        }
        if (sequence) {
          writeSequence(block, i, r, one, labels, numClasses);
        } else {
          System.arraycopy(one, 0, x, r * size, size);
          block.writeLabel(i, y, r * labels, numClasses);
        }
      }
      if (!aug.isIdentity() && !sequence) {
        aug.mix(x, y, n, size, numClasses, ids, copies, seed, epoch);
      }
    }

    /** One sequence example: {@code [time, features]} in, DL4J's {@code [features, time]} out. */
    private void writeSequence(ExampleBlock block, int i, int r, float[] one, int labels, int numClasses) {
      int f = block.stepSize();
      int base = r * f * steps;
      for (int t = 0; t < steps; t++) {
        for (int j = 0; j < f; j++) {
          x[base + j * steps + t] = one[t * f + j];
        }
        if (m != null) {
          m[r * steps + t] = block.present(i, t) ? 1f : 0f;
        }
        if (stepLabels) {
          y[r * labels * steps + block.label(i, t) * steps + t] = 1f;
        }
      }
      if (!stepLabels) {
        block.writeLabel(i, y, r * labels, numClasses);
      }
    }
  }
}
