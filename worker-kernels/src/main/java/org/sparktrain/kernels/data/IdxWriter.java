package org.sparktrain.kernels.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Writes IDX files; shared by tests, benchmarks and demos to make synthetic or derived datasets.
 */
public final class IdxWriter {
  private IdxWriter() {}

  /**
   * Writes an unsigned-byte IDX file.
   *
   * @param dims dimensions, the first being the record count
   * @param data {@code product(dims)} bytes
   * @param gzip compress the file
   */
  public static void write(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
         OutputStream body = gzip ? new GZIPOutputStream(raw) : raw;
         DataOutputStream out = new DataOutputStream(body)) {
      out.writeByte(0);
      out.writeByte(0);
      out.writeByte(IdxHeader.TYPE_UBYTE);
      out.writeByte(dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
  }

  /**
   * Writes a synthetic, learnable classification set: class {@code c}'s examples are noisy copies
   * of a fixed random prototype for {@code c}.
   *
   * @return {@code [imagesFile, labelsFile]}
   */
  public static Path[] synthetic(Path dir, String prefix, int count, int height, int width, int classes, long seed,
                                 boolean gzip) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    int size = height * width;
    byte[][] prototypes = new byte[classes][size];
    for (byte[] p : prototypes) {
      for (int i = 0; i < size; i++) {
        p[i] = (byte) rng.nextInt(256);
      }
    }
    byte[] images = new byte[count * size];
    byte[] labels = new byte[count];
    for (int n = 0; n < count; n++) {
      int c = rng.nextInt(classes);
      labels[n] = (byte) c;
      for (int i = 0; i < size; i++) {
        int v = (prototypes[c][i] & 0xff) + rng.nextInt(-40, 41);
        images[n * size + i] = (byte) Math.max(0, Math.min(255, v));
      }
    }
    String ext = gzip ? ".gz" : "";
    Path img = dir.resolve(prefix + "-images-idx3-ubyte" + ext);
    Path lbl = dir.resolve(prefix + "-labels-idx1-ubyte" + ext);
    write(img, new int[] {count, height, width}, images, gzip);
    write(lbl, new int[] {count}, labels, gzip);
    return new Path[] {img, lbl};
  }
}
