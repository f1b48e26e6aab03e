package org.sparktrain.kernels.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates Debian's dataset-fashion-mnist files (apt-get install dataset-fashion-mnist), for tests,
 * benchmarks and demos. {@code -Dsparktrain.fashion.dir} points elsewhere.
 */
public final class FashionMnist {
  private FashionMnist() {}

  public static Path dir() {
    Path d = Path.of(System.getProperty("sparktrain.fashion.dir", "/usr/share/datasets/fashion-mnist"));
    if (!Files.isRegularFile(d.resolve("train-images-idx3-ubyte.gz"))) {
      throw new IllegalStateException("Fashion-MNIST not found in " + d
          + ": install it with 'apt-get install -y dataset-fashion-mnist' (or set -Dsparktrain.fashion.dir)");
    }
    return d;
  }

  /** A file of the dataset as a file:// URI, e.g. {@code uri("t10k-images-idx3-ubyte.gz")}. */
  public static String uri(String name) {
    return dir().resolve(name).toUri().toString();
  }

  public static String trainImages() {
    return dir().resolve("train-images-idx3-ubyte.gz").toUri().toString();
  }

  public static String trainLabels() {
    return dir().resolve("train-labels-idx1-ubyte.gz").toUri().toString();
  }

  public static String testImages() {
    return dir().resolve("t10k-images-idx3-ubyte.gz").toUri().toString();
  }

  public static String testLabels() {
    return dir().resolve("t10k-labels-idx1-ubyte.gz").toUri().toString();
  }
}
