package org.sparktrain.kernels.image;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.kernels.data.ExampleBlock;

/** Writes labelled examples as an image-folder tree {@code root/<class>/<id>.png} (for tests and demos). */
public final class ImageTree {
  /** Fashion-MNIST's class names, in label order. */
  public static final List<String> FASHION_MNIST = List.of("t-shirt", "trouser", "pullover", "dress", "coat",
      "sandal", "shirt", "sneaker", "bag", "ankle-boot");

  private ImageTree() {}

  /** The folder name of class {@code index}: zero-padded index, then the name, so sorting keeps label order. */
  public static String folderName(int index, List<String> names, int classes) {
    String idx = String.format(Locale.ROOT, "%0" + String.valueOf(Math.max(1, classes - 1)).length() + "d", index);
    return names != null && index < names.size() ? idx + "-" + names.get(index) : idx;
  }

  /**
   * Writes every example of {@code block} as a PNG under {@code root} (any Hadoop path).
   *
   * @param names class names by label (may be null: folders are plain indices)
   * @return files written
   */
  public static int export(ExampleBlock block, int classes, List<String> names, String root, Configuration conf) {
    int[] shape = block.shape();
    int h = shape[0];
    int w = shape.length > 1 ? shape[1] : 1;
    int c = shape.length > 2 ? shape[2] : 1;
    float[] x = new float[block.featureSize()];
    try {
      FileSystem fs = new Path(root).getFileSystem(conf);
      for (int i = 0; i < block.count(); i++) {
        block.copyFeatures(i, x, 0);
        Path file = new Path(new Path(root, folderName(block.label(i), names, classes)),
            String.format(Locale.ROOT, "%06d.png", block.firstId() + i));
        try (OutputStream out = fs.create(file, true)) {
          ImageWriter.png(ImageWriter.fromFloats(x, 0, h, w, c), out);
        }
      }
      return block.count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write image tree " + root + ": " + e.getMessage(), e);
    }
  }
}
