package org.sparktrain.kernels.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import javax.imageio.ImageIO;

/**
 * Decodes image bytes (any format ImageIO reads: PNG, JPEG, GIF, BMP) and resizes them to a fixed
 * shape as unsigned bytes, channels last: 1 channel (luma) or 3 (RGB).
 *
 * @param height target height
 * @param width target width
 * @param channels 1 or 3
 */
public record ImageDecoder(int height, int width, int channels) implements Serializable {
  static {
    // ImageIO otherwise spools every stream through a temporary file.
    ImageIO.setUseCache(false);
  }

  public ImageDecoder {
    if (height < 1 || width < 1 || (channels != 1 && channels != 3)) {
      throw new IllegalArgumentException("image shape " + height + "x" + width + "x" + channels
          + " is not allowed: height and width >= 1, channels 1 or 3");
    }
  }

  /** Bytes per decoded example. */
  public int size() {
    return height * width * channels;
  }

  /**
   * Decodes and resizes into {@code dst[offset .. offset + size())}.
   *
   * @return null on success, else why the bytes are not a usable image
   */
  public String decode(byte[] bytes, byte[] dst, int offset) {
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      return "unreadable image: " + e.getMessage();
    }
    if (img == null) {
      return bytes.length == 0 ? "empty file" : "not an image ImageIO can read";
    }
    BufferedImage scaled = new BufferedImage(width, height,
        channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = scaled.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, width, height, null);
    g.dispose();
    byte[] raster = ((java.awt.image.DataBufferByte) scaled.getRaster().getDataBuffer()).getData();
    if (channels == 1) {
      System.arraycopy(raster, 0, dst, offset, size());
    } else {
      for (int i = 0; i < height * width; i++) {
        dst[offset + 3 * i] = raster[3 * i + 2];
        dst[offset + 3 * i + 1] = raster[3 * i + 1];
        dst[offset + 3 * i + 2] = raster[3 * i];
      }
    }
    return null;
  }
}
