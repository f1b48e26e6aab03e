package org.sparktrain.kernels.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.sparktrain.kernels.image.ImageWriter;

/**
 * Small, learnable, seeded datasets for tests, benchmarks and demos, so most of them need neither
 * the 30 MB Fashion-MNIST files nor a network. Each class (or target) is a fixed random
 * prototype plus noise, so a model can learn it in a few steps. Image sets are written through the
 * real writers (IDX files, PNG image folders); tabular and sequence sets come as blocks.
 */
public final class SyntheticData {
  private SyntheticData() {}

  /**
   * IDX images and labels files ({@link IdxWriter}).
   *
   * @return {@code [imagesFile, labelsFile]}
   */
  public static Path[] idx(Path dir, String prefix, int count, int height, int width, int classes, long seed,
                           boolean gzip) throws IOException {
    return IdxWriter.synthetic(dir, prefix, count, height, width, classes, seed, gzip);
  }

  /**
   * An image folder {@code root/<class>/<n>.png} of {@code perClass} grey images per class, class
   * folders named {@code 0-class}, {@code 1-class}, ...
   *
   * @return {@code root}
   */
  public static Path imageFolder(Path root, int perClass, int height, int width, int classes, long seed)
      throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    int size = height * width;
    float[][] prototypes = prototypes(rng, classes, size);
    float[] x = new float[size];
    for (int c = 0; c < classes; c++) {
      Path dir = Files.createDirectories(root.resolve(c + "-class"));
      for (int n = 0; n < perClass; n++) {
        for (int i = 0; i < size; i++) {
          x[i] = (float) Math.max(0, Math.min(1, prototypes[c][i] + rng.nextDouble(-0.15, 0.15)));
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(n + ".png"))) {
          ImageWriter.png(ImageWriter.fromFloats(x, 0, height, width, 1), out);
        }
      }
    }
    return root;
  }

  /** Class-labelled float feature vectors ({@code shape [features]}). */
  public static ExampleBlock tabular(int count, int features, int classes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] prototypes = prototypes(rng, classes, features);
    float[] x = new float[count * features];
    byte[] labels = new byte[count];
    for (int n = 0; n < count; n++) {
      int c = rng.nextInt(classes);
      labels[n] = (byte) c;
      for (int i = 0; i < features; i++) {
        x[n * features + i] = (float) (prototypes[c][i] + rng.nextGaussian() * 0.1);
      }
    }
    return ExampleBlock.ofFloats(0, count, new int[] {features}, x, LabelKind.CLASS, labels, null, 0, null);
  }

  /** Regression targets: {@code targets} fixed linear functions of the features plus noise. */
  public static ExampleBlock regression(int count, int features, int targets, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] w = prototypes(rng, targets, features);
    float[] x = new float[count * features];
    float[] y = new float[count * targets];
    for (int n = 0; n < count; n++) {
      for (int i = 0; i < features; i++) {
        x[n * features + i] = (float) rng.nextGaussian();
      }
      for (int t = 0; t < targets; t++) {
        double v = 0;
        for (int i = 0; i < features; i++) {
          v += (w[t][i] - 0.5) * x[n * features + i];
        }
        y[n * targets + t] = (float) (v + rng.nextGaussian() * 0.01);
      }
    }
    return ExampleBlock.ofFloats(0, count, new int[] {features}, x, LabelKind.REGRESSION, null, y, targets, null);
  }

  /**
   * Sequences of {@code steps} time steps of {@code features} values ({@code shape [steps, features]})
   * with a class per time step; each sequence has a random length in {@code [steps / 2, steps]},
   * the rest masked out (zeros, mask 0).
   */
  public static ExampleBlock sequences(int count, int steps, int features, int classes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] prototypes = prototypes(rng, classes, features);
    float[] x = new float[count * steps * features];
    byte[] labels = new byte[count * steps];
    byte[] mask = new byte[count * steps];
    for (int n = 0; n < count; n++) {
      int length = Math.max(1, rng.nextInt(steps / 2, steps + 1));
      int c = rng.nextInt(classes);
      for (int t = 0; t < length; t++) {
        mask[n * steps + t] = 1;
        labels[n * steps + t] = (byte) c;
        for (int i = 0; i < features; i++) {
          x[(n * steps + t) * features + i] = (float) (prototypes[c][i] + rng.nextGaussian() * 0.1);
        }
        c = rng.nextInt(4) == 0 ? rng.nextInt(classes) : c; // labels change now and then
      }
    }
    return ExampleBlock.ofFloats(0, count, new int[] {steps, features}, x, LabelKind.SEQUENCE_CLASS, labels, null, 0,
        mask);
  }

  private static float[][] prototypes(SplittableRandom rng, int n, int size) {
    float[][] p = new float[n][size];
    for (float[] row : p) {
      for (int i = 0; i < size; i++) {
        row[i] = (float) rng.nextDouble();
      }
    }
    return p;
  }
}
