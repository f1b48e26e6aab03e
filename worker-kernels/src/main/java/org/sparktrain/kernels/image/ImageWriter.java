package org.sparktrain.kernels.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import javax.imageio.ImageIO;

/** Writes examples (unsigned bytes or floats in [0, 1], channels last) as PNG images and grids. */
public final class ImageWriter {
  private ImageWriter() {}

  /** An image of {@code h x w x c} values in [0, 1]. */
  public static BufferedImage fromFloats(float[] x, int offset, int h, int w, int c) {
    BufferedImage img = new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        int i = offset + (y * w + xx) * c;
        if (c == 1) {
          int v = Math.round(Math.max(0, Math.min(1, x[i])) * 255);
          img.getRaster().setSample(xx, y, 0, v);
        } else {
          int r = Math.round(Math.max(0, Math.min(1, x[i])) * 255);
          int g = Math.round(Math.max(0, Math.min(1, x[i + 1])) * 255);
          int b = Math.round(Math.max(0, Math.min(1, x[i + 2])) * 255);
          img.setRGB(xx, y, (r << 16) | (g << 8) | b);
        }
      }
    }
    return img;
  }

  /** Writes {@code img} as PNG. */
  public static void png(BufferedImage img, OutputStream out) throws IOException {
    if (!ImageIO.write(img, "png", out)) {
      throw new IOException("no PNG writer available");
    }
  }
}
