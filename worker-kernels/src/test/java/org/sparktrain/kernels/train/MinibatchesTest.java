package org.sparktrain.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.LabelKind;
import org.sparktrain.kernels.data.SyntheticData;

/** Minibatch layouts for every kind of block DL4J trains on. */
class MinibatchesTest {
  @Test
  void byteImagesAreScaledAndLabelsOneHot() {
    ExampleBlock b = new ExampleBlock(100, new int[] {2, 2}, new byte[] {0, (byte) 255, 51, 102, 1, 2, 3, 4},
        new byte[] {2, 0});
    DataSet ds = Minibatches.dataSet(b, new int[] {1, 0}, 3);
    assertArrayEquals(new long[] {2, 4}, ds.getFeatures().shape());
    assertEquals(1f / 255, ds.getFeatures().getFloat(0, 0), 1e-7);
    assertEquals(1f, ds.getFeatures().getFloat(1, 1), 1e-7);
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, FloatArrays.flat(ds.getLabels()));
    assertNull(ds.getFeaturesMaskArray());
  }

  @Test
  void reusedBufferEqualsFreshArrays() {
    ExampleBlock b = SyntheticData.tabular(50, 6, 4, 3);
    Minibatches.Buffer buf = new Minibatches.Buffer(b, 5, 4);
    for (int[] idx : new int[][] {{0, 1, 2, 3, 4}, {9, 8, 7, 6, 5}}) {
      DataSet reused = buf.fill(b, idx, 4, AugmentationPipeline.none(), 0, 0);
      DataSet fresh = Minibatches.dataSet(b, idx, 4);
      assertEquals(fresh.getFeatures(), reused.getFeatures());
      assertEquals(fresh.getLabels(), reused.getLabels());
    }
  }

  @Test
  void regressionAndMultiLabelTargetsAreCopied() {
    ExampleBlock r = SyntheticData.regression(10, 3, 2, 1);
    DataSet ds = Minibatches.dataSet(r, new int[] {4}, 0);
    assertArrayEquals(new long[] {1, 2}, ds.getLabels().shape());
    ExampleBlock m = ExampleBlock.ofFloats(0, 2, new int[] {1}, new float[] {0.5f, 0.25f}, LabelKind.MULTI_LABEL, null,
        new float[] {1, 0, 1, 0, 1, 1}, 3, null);
    assertArrayEquals(new float[] {0, 1, 1, 1, 0, 1}, FloatArrays.flat(Minibatches.dataSet(m, new int[] {1, 0}, 0)
        .getLabels()));
    assertThrows(IllegalStateException.class, () -> m.label(0), "multi-label blocks have no single class");
  }

  @Test
  void sequencesAreTimeLastWithMasks() {
    // 2 examples x 3 steps x 2 features, class per step, second example 2 steps long
    float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0};
    ExampleBlock s = ExampleBlock.ofFloats(0, 2, new int[] {3, 2}, x, LabelKind.SEQUENCE_CLASS,
        new byte[] {0, 1, 1, 2, 2, 0}, null, 0, new byte[] {1, 1, 1, 1, 1, 0});
    DataSet ds = Minibatches.dataSet(s, new int[] {0, 1}, 3);
    assertArrayEquals(new long[] {2, 2, 3}, ds.getFeatures().shape(), "[n, features, time]");
    assertEquals(3f, ds.getFeatures().getFloat(0, 0, 1), "example 0, feature 0, step 1");
    assertEquals(10f, ds.getFeatures().getFloat(1, 1, 1), "example 1, feature 1, step 1");
    assertArrayEquals(new long[] {2, 3, 3}, ds.getLabels().shape(), "[n, classes, time]");
    assertEquals(1f, ds.getLabels().getFloat(0, 1, 2));
    assertEquals(1f, ds.getLabels().getFloat(1, 2, 1));
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0}, FloatArrays.flat(ds.getFeaturesMaskArray()));
    assertEquals(ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
    ExampleBlock syn = SyntheticData.sequences(20, 8, 3, 4, 2);
    DataSet b = Minibatches.dataSet(syn, new int[] {0, 1, 2}, 4);
    assertArrayEquals(new long[] {3, 3, 8}, b.getFeatures().shape());
    assertEquals(3 * 8, (int) b.getFeatures().shape()[0] * 8);
  }

  @Test
  void badBlocksAreRefusedWithTheirSizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExampleBlock.ofFloats(0, 2,
        new int[] {3}, new float[5], LabelKind.CLASS, new byte[2], null, 0, null));
    assertEquals("features hold 5 values, expected 2 examples x 3", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ExampleBlock.ofFloats(0, 2, new int[] {3, 1}, new float[6],
        LabelKind.SEQUENCE_CLASS, new byte[2], null, 0, null), "per-step labels need count x steps indices");
  }
}
