package org.sparktrain.kernels.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** JPEG and PNG files decode to the configured shape with the right pixel values (JPEG within its loss). */
class ImageDecoderTest {
  /** A 40x40 image: left half dark (30), right half bright (220), in gray or in one RGB colour. */
  private static byte[] encode(String format, boolean rgb) throws Exception {
    BufferedImage img = new BufferedImage(40, 40, rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 40; x++) {
        int v = x < 20 ? 30 : 220;
        if (rgb) {
          img.setRGB(x, y, (v << 16) | (40 << 8) | (255 - v));
        } else {
          img.getRaster().setSample(x, y, 0, v); // setRGB on a gray image would apply a linear-light conversion
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out), "ImageIO has a " + format + " writer");
    return out.toByteArray();
  }

  private static int px(byte[] b, int i) {
    return b[i] & 0xff;
  }

  @Test
  void grayJpegDecodesAndResizes() throws Exception {
    byte[] jpeg = encode("jpg", false);
    assertEquals(0xFF, jpeg[0] & 0xff);
    assertEquals(0xD8, jpeg[1] & 0xff, "a real JPEG (SOI marker)");
    ImageDecoder d = new ImageDecoder(20, 20, 1);
    byte[] dst = new byte[d.size()];
    assertNull(d.decode(jpeg, dst, 0));
    assertEquals(30, px(dst, 5 * 20 + 2), 12.0, "dark half");
    assertEquals(220, px(dst, 5 * 20 + 17), 12.0, "bright half");
  }

  @Test
  void rgbJpegKeepsChannelOrderRgb() throws Exception {
    ImageDecoder d = new ImageDecoder(10, 10, 3);
    byte[] dst = new byte[d.size()];
    assertNull(d.decode(encode("jpg", true), dst, 0));
    int left = (5 * 10 + 1) * 3;
    assertEquals(30, px(dst, left), 15.0, "red of the left half");
    assertEquals(225, px(dst, left + 2), 15.0, "blue of the left half");
    int right = (5 * 10 + 8) * 3;
    assertEquals(220, px(dst, right), 15.0, "red of the right half");
    assertEquals(35, px(dst, right + 2), 15.0, "blue of the right half");
  }

  @Test
  void rgbToOneChannelIsLuma() throws Exception {
    ImageDecoder d = new ImageDecoder(10, 10, 1);
    byte[] dst = new byte[d.size()];
    assertNull(d.decode(encode("png", true), dst, 0));
    assertEquals(Math.round(0.299 * 30 + 0.587 * 40 + 0.114 * 225), px(dst, 5 * 10 + 1), 2.0, "left half");
    assertEquals(Math.round(0.299 * 220 + 0.587 * 40 + 0.114 * 35), px(dst, 5 * 10 + 8), 2.0, "right half");
  }

  @Test
  void pngIsExactAndAJpegCutInHalfIsReported() throws Exception {
    ImageDecoder d = new ImageDecoder(40, 40, 1);
    byte[] dst = new byte[d.size()];
    assertNull(d.decode(encode("png", false), dst, 0));
    assertEquals(30, px(dst, 0));
    assertEquals(220, px(dst, 39));
    byte[] jpeg = encode("jpg", false);
    String why = d.decode(java.util.Arrays.copyOf(jpeg, 20), dst, 0);
    assertTrue(why != null, "a truncated JPEG is not silently accepted");
  }
}
