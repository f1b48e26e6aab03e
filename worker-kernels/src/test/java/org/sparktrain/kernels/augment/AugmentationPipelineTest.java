package org.sparktrain.kernels.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every operation: shape and range kept, p=0 is identity, seeds reproduce; plus mixup and validation. */
class AugmentationPipelineTest {
  private static final List<String> PER_EXAMPLE = AugmentSpec.TYPES.stream().filter(t -> !t.equals("mixup")).toList();

  private static float[] image(int h, int w, int c, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[h * w * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    return x;
  }

  private static float[] run(String type, double p, float[] x, int[] shape, long id) {
    float[] y = x.clone();
    new AugmentationPipeline(List.of(AugmentSpec.of(type, p)), 1).apply(y, shape, 42, 0, id, 0);
    return y;
  }

  @ParameterizedTest
  @ValueSource(strings = {"crop_pad", "flip_h", "flip_v", "rotate", "translate", "scale", "gaussian_noise",
      "brightness_contrast", "cutout", "elastic"})
  void keepsShapeAndRangeAndReproduces(String type) {
    for (int[] shape : List.of(new int[] {28, 28}, new int[] {17, 23, 3})) {
      float[] x = image(shape[0], shape[1], shape.length == 3 ? shape[2] : 1, 7);
      float[] a = run(type, 1.0, x, shape, 5);
      assertEquals(x.length, a.length);
      for (float v : a) {
        assertTrue(v >= 0f && v <= 1f, type + " produced " + v);
      }
      assertFalse(Arrays.equals(x, a), type + " with p=1 changed nothing");
      assertArrayEquals(a, run(type, 1.0, x, shape, 5), type + " is not reproducible from (seed, epoch, id, copy)");
      assertArrayEquals(x, run(type, 0.0, x, shape, 5), type + " with p=0 is not the identity");
    }
  }

  @Test
  void randomOperationsDependOnExampleIdEpochAndCopy() {
    int[] shape = {28, 28};
    float[] x = image(28, 28, 1, 3);
    AugmentationPipeline p = new AugmentationPipeline(List.of(AugmentSpec.of("rotate", 1), AugmentSpec.of("cutout", 1)),
        2);
    float[] base = x.clone();
    p.apply(base, shape, 1, 0, 10, 0);
    for (long[] v : new long[][] {{1, 0, 11, 0}, {1, 1, 10, 0}, {1, 0, 10, 1}, {2, 0, 10, 0}}) {
      float[] other = x.clone();
      p.apply(other, shape, v[0], (int) v[1], v[2], (int) v[3]);
      assertFalse(Arrays.equals(base, other), "same result for " + Arrays.toString(v));
    }
  }

  @Test
  void flipsAreExactAndSelfInverse() {
    float[] x = {1, 2, 3, 4, 5, 6};
    float[] y = x.clone();
    ImageOps.flipH(y, 2, 3, 1);
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, y);
    ImageOps.flipH(y, 2, 3, 1);
    assertArrayEquals(x, y);
    ImageOps.flipV(y, 2, 3, 1);
    assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3}, y);
    float[] rgb = {1, 10, 100, 2, 20, 200};
    ImageOps.flipH(rgb, 1, 2, 3);
    assertArrayEquals(new float[] {2, 20, 200, 1, 10, 100}, rgb, "channels stay together");
  }

  @Test
  void geometricNoOpsAreIdentity() {
    float[] x = image(9, 9, 2, 1);
    float[] y = x.clone();
    ImageOps.rotateScale(y, 9, 9, 2, 0, 1);
    assertArrayEquals(x, y, 1e-6f);
    ImageOps.shift(y, 9, 9, 2, 0, 0);
    assertArrayEquals(x, y, 1e-6f);
    ImageOps.shift(y, 9, 9, 2, 1, 0);
    assertEquals(0f, y[0]);
    assertEquals(x[0], y[2], "shifted right by one pixel of 2 channels");
  }

  @Test
  void cutoutErasesASquare() {
    float[] x = new float[10 * 10];
    Arrays.fill(x, 0.5f);
    ImageOps.cutout(x, 10, 10, 1, 4, 5, 5);
    long zeros = 0;
    for (float v : x) {
      zeros += v == 0f ? 1 : 0;
    }
    assertEquals(16, zeros);
  }

  @Test
  void mixupMixesFeaturesAndLabelsConvexly() {
    AugmentationPipeline p = new AugmentationPipeline(List.of(new AugmentSpec("mixup", 1.0, null, null, null, null,
        null, null, null, null, null, 0.4, null, null)), 1);
    int n = 4;
    int size = 3;
    float[] x = {0, 0, 0, 1, 1, 1, 0.5f, 0.5f, 0.5f, 1, 0, 1};
    float[] y = {1, 0, 0, 1, 1, 0, 0, 1};
    float[] x0 = x.clone();
    p.mix(x, y, n, size, 2, new long[] {0, 1, 2, 3}, new int[4], 9, 0);
    assertFalse(Arrays.equals(x0, x));
    for (int r = 0; r < n; r++) {
      assertEquals(1.0, y[2 * r] + y[2 * r + 1], 1e-6, "label row " + r + " sums to 1");
    }
    float lam = 1 - x[0];
    assertTrue(lam >= 0 && lam <= 1);
    assertEquals(lam * 1 + (1 - lam) * 0, x[9], 1e-6, "row 3 = lam*row3 + (1-lam)*row0");
    float[] again = x0.clone();
    float[] y2 = {1, 0, 0, 1, 1, 0, 0, 1};
    p.mix(again, y2, n, size, 2, new long[] {0, 1, 2, 3}, new int[4], 9, 0);
    assertArrayEquals(x, again);
  }

  @Test
  void badValuesNameTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new AugmentationPipeline(List.of(AugmentSpec.of("flip_h", 0.5), AugmentSpec.of("sharpen", 1)), 1));
    assertTrue(e.getMessage().startsWith("augmentation.ops[1].type"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new AugmentationPipeline(List.of(AugmentSpec.of("flip_h", 1.5)), 1));
    assertTrue(e.getMessage().startsWith("augmentation.ops[0].p"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new AugmentationPipeline(List.of(), 0));
    assertTrue(e.getMessage().startsWith("augmentation.copies"), e.getMessage());
  }

  @Test
  void identityPipelineIsRecognised() {
    assertTrue(AugmentationPipeline.none().isIdentity());
    assertFalse(new AugmentationPipeline(List.of(), 2).isIdentity());
    assertTrue(PER_EXAMPLE.size() == 12);
  }

  @org.junit.jupiter.api.Test
  void featureOpsWorkOnRowsAndImageOpsAreRefusedForThem() {
    AugmentationPipeline p = new AugmentationPipeline(List.of(AugmentSpec.of("feature_dropout", 1.0)), 1);
    p.requireFits(new int[] {30}, List.of(AugmentSpec.of("feature_dropout", 1.0), AugmentSpec.of("feature_noise", 1.0)));
    float[] noisy = new float[1000];
    new AugmentationPipeline(List.of(AugmentSpec.of("feature_noise", 1.0)), 1).apply(noisy, new int[] {1000}, 7, 1, 3, 0);
    double sd = Math.sqrt(java.util.stream.IntStream.range(0, 1000).mapToDouble(i -> noisy[i] * noisy[i]).sum() / 1000);
    org.junit.jupiter.api.Assertions.assertEquals(0.05, sd, 0.01, "default std 0.05");
    float[] x = new float[1000];
    java.util.Arrays.fill(x, 1f);
    p.apply(x, new int[] {1000}, 7, 1, 3, 0);
    long zeros = 0;
    for (float v : x) {
      zeros += v == 0 ? 1 : 0;
    }
    org.junit.jupiter.api.Assertions.assertTrue(zeros > 50 && zeros < 160, "about a tenth dropped: " + zeros);
    float[] again = new float[1000];
    java.util.Arrays.fill(again, 1f);
    p.apply(again, new int[] {1000}, 7, 1, 3, 0);
    org.junit.jupiter.api.Assertions.assertArrayEquals(x, again, "seeded by (seed, epoch, example, copy)");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> p.requireFits(new int[] {30}, List.of(AugmentSpec.of("feature_noise", 1.0), AugmentSpec.of("flip_h", 1.0))));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("augmentation.ops[1].type: 'flip_h' works on "
        + "images"), e.getMessage());
  }
}
