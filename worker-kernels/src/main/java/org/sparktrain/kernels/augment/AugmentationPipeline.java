package org.sparktrain.kernels.augment;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sparktrain.kernels.train.BatchPlan;

/**
 * An ordered list of per-example operations, each applied with its probability, plus optional
 * mixup at minibatch level. All randomness of an example comes from one generator seeded by
 * (seed, epoch, example id, copy), so a retried or speculative task produces identical batches and
 * a run is reproducible from its config.
 */
public final class AugmentationPipeline implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<AugmentSpec> ops;
  private final AugmentSpec mixup;
  private final int copies;

  /**
   * @param specs operations in order; at most one {@code mixup}
   * @param copies independently augmented variants of each example per epoch (>= 1)
   * @throws IllegalArgumentException naming {@code augmentation.ops[i].key} for a bad value
   */
  public AugmentationPipeline(List<AugmentSpec> specs, int copies) {
    if (copies < 1) {
      throw new IllegalArgumentException("augmentation.copies: " + copies + " is out of range; allowed: >= 1");
    }
    List<AugmentSpec> perExample = new ArrayList<>();
    AugmentSpec mix = null;
    for (int i = 0; i < specs.size(); i++) {
      AugmentSpec s = specs.get(i);
      validate(s, "augmentation.ops[" + i + "]");
      if ("mixup".equals(s.type())) {
        if (mix != null) {
          throw new IllegalArgumentException("augmentation.ops[" + i + "].type: mixup may appear once");
        }
        mix = s;
      } else {
        perExample.add(s);
      }
    }
    this.ops = List.copyOf(perExample);
    this.mixup = mix;
    this.copies = copies;
  }

  /**
   * Refuses image operations for examples that are not images (a table row of {@code shape[0]}
   * features), naming the operation.
   */
  public void requireFits(int[] shape, List<AugmentSpec> specs) {
    if (shape.length >= 2) {
      return;
    }
    for (int i = 0; i < specs.size(); i++) {
      String t = specs.get(i).type();
      if (!AugmentSpec.ANY_SHAPE.contains(t)) {
        throw new IllegalArgumentException("augmentation.ops[" + i + "].type: '" + t + "' works on images ([h, w] "
            + "examples); these examples are rows of " + shape[0] + " features; allowed for rows: " + AugmentSpec.ANY_SHAPE);
      }
    }
  }

  /** No augmentation. */
  public static AugmentationPipeline none() {
    return new AugmentationPipeline(List.of(), 1);
  }

  /** True when the pipeline changes nothing. */
  public boolean isIdentity() {
    return ops.isEmpty() && mixup == null && copies == 1;
  }

  public int copies() {
    return copies;
  }

  /** The mixup spec, or null. */
  public AugmentSpec mixup() {
    return mixup;
  }

  /** The generator of one example's randomness. */
  public static SplittableRandom rng(long seed, int epoch, long exampleId, int copy) {
    return new SplittableRandom(BatchPlan.mix(seed, epoch, exampleId, copy));
  }

  /**
   * Augments one example in place.
   *
   * @param x values in [0, 1], {@code h * w * c} of them, channels last
   * @param shape {@code [h, w]} or {@code [h, w, c]}
   */
  public void apply(float[] x, int[] shape, long seed, int epoch, long exampleId, int copy) {
    if (ops.isEmpty()) {
      return;
    }
    int h = shape[0];
    int w = shape.length > 1 ? shape[1] : 1;
    int c = shape.length > 2 ? shape[2] : 1;
    SplittableRandom rng = rng(seed, epoch, exampleId, copy);
    for (AugmentSpec s : ops) {
      boolean on = rng.nextDouble() < s.probability();
      if (on) {
        applyOne(s, x, h, w, c, rng);
      }
    }
  }

  private static void applyOne(AugmentSpec s, float[] x, int h, int w, int c, SplittableRandom rng) {
    switch (s.type()) {
      case "feature_noise" -> TabularOps.gaussianNoise(x, AugmentSpec.or(s.std(), 0.05), rng);
      case "feature_dropout" -> TabularOps.featureDropout(x, AugmentSpec.or(s.rate(), 0.1), rng);
      case "flip_h" -> ImageOps.flipH(x, h, w, c);
      case "flip_v" -> ImageOps.flipV(x, h, w, c);
      case "crop_pad" -> {
        int pad = s.pad() == null ? 4 : s.pad();
        ImageOps.shift(x, h, w, c, rng.nextInt(-pad, pad + 1), rng.nextInt(-pad, pad + 1));
      }
      case "translate" -> {
        double f = AugmentSpec.or(s.shift(), 0.1);
        int mx = (int) Math.round(f * w);
        int my = (int) Math.round(f * h);
        ImageOps.shift(x, h, w, c, rng.nextInt(-mx, mx + 1), rng.nextInt(-my, my + 1));
      }
      case "rotate" -> {
        double d = AugmentSpec.or(s.degrees(), 15);
        ImageOps.rotateScale(x, h, w, c, (rng.nextDouble() * 2 - 1) * d, 1.0);
      }
      case "scale" -> {
        double lo = AugmentSpec.or(s.min(), 0.9);
        double hi = AugmentSpec.or(s.max(), 1.1);
        ImageOps.rotateScale(x, h, w, c, 0, lo + rng.nextDouble() * (hi - lo));
      }
      case "gaussian_noise" -> ImageOps.gaussianNoise(x, AugmentSpec.or(s.std(), 0.05), rng);
      case "brightness_contrast" -> {
        double b = AugmentSpec.or(s.brightness(), 0.2);
        double k = AugmentSpec.or(s.contrast(), 0.2);
        ImageOps.brightnessContrast(x, (rng.nextDouble() * 2 - 1) * b, 1 + (rng.nextDouble() * 2 - 1) * k);
      }
      case "cutout" -> {
        int side = Math.max(1, (int) Math.round(AugmentSpec.or(s.size(), 0.25) * Math.min(h, w)));
        ImageOps.cutout(x, h, w, c, side, rng.nextInt(h), rng.nextInt(w));
      }
      case "elastic" -> ImageOps.elastic(x, h, w, c, AugmentSpec.or(s.alpha(), 2.0), AugmentSpec.or(s.sigma(), 3.0),
          rng);
      default -> throw new IllegalStateException("unvalidated augmentation type " + s.type());
    }
  }

  /**
   * Mixes the examples of one minibatch in pairs (example r with example n-1-r), features and
   * one-hot labels alike, with a Beta(alpha, alpha) weight drawn per pair from (seed, epoch, id of
   * the pair's first example, copy).
   *
   * @param x {@code n * size} features
   * @param y {@code n * classes} labels
   * @param ids global example ids of the rows
   */
  public void mix(float[] x, float[] y, int n, int size, int classes, long[] ids, int[] copiesOf, long seed,
                  int epoch) {
    if (mixup == null || n < 2) {
      return;
    }
    double alpha = AugmentSpec.or(mixup.alpha(), 0.2);
    float[] xa = x.clone();
    float[] ya = y.clone();
    for (int r = 0; r < n / 2; r++) {
      int q = n - 1 - r;
      SplittableRandom rng = rng(seed ^ 0x5DEECE66DL, epoch, ids[r], copiesOf[r]);
      if (rng.nextDouble() >= mixup.probability()) {
        continue;
      }
      float lam = (float) beta(alpha, rng);
      for (int j = 0; j < size; j++) {
        x[r * size + j] = lam * xa[r * size + j] + (1 - lam) * xa[q * size + j];
        x[q * size + j] = lam * xa[q * size + j] + (1 - lam) * xa[r * size + j];
      }
      for (int j = 0; j < classes; j++) {
        y[r * classes + j] = lam * ya[r * classes + j] + (1 - lam) * ya[q * classes + j];
        y[q * classes + j] = lam * ya[q * classes + j] + (1 - lam) * ya[r * classes + j];
      }
    }
  }

  static double beta(double a, SplittableRandom rng) {
    double g1 = gamma(a, rng);
    double g2 = gamma(a, rng);
    return g1 + g2 == 0 ? 0.5 : g1 / (g1 + g2);
  }

  /** Marsaglia-Tsang gamma sampler (shape a, scale 1). */
  static double gamma(double a, SplittableRandom rng) {
    if (a < 1) {
      return gamma(a + 1, rng) * Math.pow(rng.nextDouble(), 1 / a);
    }
    double d = a - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double z = ImageOps.gaussian(rng);
      double v = 1 + c * z;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = rng.nextDouble();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }

  private static void validate(AugmentSpec s, String key) {
    if (s == null || s.type() == null || !AugmentSpec.TYPES.contains(s.type())) {
      throw new IllegalArgumentException(key + ".type: '" + (s == null ? null : s.type())
          + "' is not an augmentation; allowed: " + AugmentSpec.TYPES);
    }
    double p = s.probability();
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(key + ".p: " + p + " is out of range; allowed: 0 to 1");
    }
    positive(key + ".degrees", s.degrees(), 0, 180);
    positive(key + ".shift", s.shift(), 0, 1);
    positive(key + ".std", s.std(), 0, 1);
    positive(key + ".brightness", s.brightness(), 0, 1);
    positive(key + ".contrast", s.contrast(), 0, 1);
    positive(key + ".size", s.size(), 0, 1);
    positive(key + ".alpha", s.alpha(), 0, 1000);
    positive(key + ".sigma", s.sigma(), 0, 1000);
    positive(key + ".rate", s.rate(), 0, 1);
    positive(key + ".min", s.min(), 0.1, 10);
    positive(key + ".max", s.max(), 0.1, 10);
    if (s.min() != null && s.max() != null && s.min() > s.max()) {
      throw new IllegalArgumentException(key + ".min: " + s.min() + " exceeds max " + s.max());
    }
    if (s.pad() != null && (s.pad() < 0 || s.pad() > 1000)) {
      throw new IllegalArgumentException(key + ".pad: " + s.pad() + " is out of range; allowed: 0 to 1000");
    }
  }

  private static void positive(String key, Double v, double lo, double hi) {
    if (v != null && !(v >= lo && v <= hi)) {
      throw new IllegalArgumentException(key + ": " + v + " is out of range; allowed: " + lo + " to " + hi);
    }
  }
}
