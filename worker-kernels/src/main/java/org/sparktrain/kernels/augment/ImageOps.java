package org.sparktrain.kernels.augment;

import java.util.SplittableRandom;

/**
 * Image operations on one example stored as {@code float[h * w * c]} (row-major, channels last,
 * values in [0, 1]), in place. Tight loops over primitive arrays; geometric operations share one
 * bilinear inverse-mapping warp with zero fill.
 */
public final class ImageOps {
  private ImageOps() {}

  static void flipH(float[] x, int h, int w, int c) {
    for (int y = 0; y < h; y++) {
      int row = y * w;
      for (int a = 0, b = w - 1; a < b; a++, b--) {
        for (int k = 0; k < c; k++) {
          int i = (row + a) * c + k;
          int j = (row + b) * c + k;
          float t = x[i];
          x[i] = x[j];
          x[j] = t;
        }
      }
    }
  }

  static void flipV(float[] x, int h, int w, int c) {
    int stride = w * c;
    float[] tmp = new float[stride];
    for (int a = 0, b = h - 1; a < b; a++, b--) {
      System.arraycopy(x, a * stride, tmp, 0, stride);
      System.arraycopy(x, b * stride, x, a * stride, stride);
      System.arraycopy(tmp, 0, x, b * stride, stride);
    }
  }

  /** Integer shift by (dx, dy) with zero fill: random crop of a zero-padded image, or translation. */
  static void shift(float[] x, int h, int w, int c, int dx, int dy) {
    float[] src = x.clone();
    for (int y = 0; y < h; y++) {
      int sy = y - dy;
      for (int xx = 0; xx < w; xx++) {
        int sx = xx - dx;
        int d = (y * w + xx) * c;
        if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
          for (int k = 0; k < c; k++) {
            x[d + k] = 0f;
          }
        } else {
          System.arraycopy(src, (sy * w + sx) * c, x, d, c);
        }
      }
    }
  }

  /**
   * Rotation by {@code degrees} and scaling by {@code scale} about the centre: every output pixel
   * samples the source bilinearly at the inverse-transformed position.
   */
  static void rotateScale(float[] x, int h, int w, int c, double degrees, double scale) {
    double r = Math.toRadians(degrees);
    double cos = Math.cos(r) / scale;
    double sin = Math.sin(r) / scale;
    double cy = (h - 1) / 2.0;
    double cx = (w - 1) / 2.0;
    float[] src = x.clone();
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        double u = xx - cx;
        double v = y - cy;
        double sx = cos * u + sin * v + cx;
        double sy = -sin * u + cos * v + cy;
        sample(src, h, w, c, sx, sy, x, (y * w + xx) * c);
      }
    }
  }

  /** Bilinear sample of {@code src} at (sx, sy) into {@code dst[d..d+c)}, zero outside. */
  static void sample(float[] src, int h, int w, int c, double sx, double sy, float[] dst, int d) {
    int x0 = (int) Math.floor(sx);
    int y0 = (int) Math.floor(sy);
    double fx = sx - x0;
    double fy = sy - y0;
    for (int k = 0; k < c; k++) {
      double v = 0;
      v += (1 - fx) * (1 - fy) * at(src, h, w, c, x0, y0, k);
      v += fx * (1 - fy) * at(src, h, w, c, x0 + 1, y0, k);
      v += (1 - fx) * fy * at(src, h, w, c, x0, y0 + 1, k);
      v += fx * fy * at(src, h, w, c, x0 + 1, y0 + 1, k);
      dst[d + k] = (float) v;
    }
  }

  private static float at(float[] src, int h, int w, int c, int x, int y, int k) {
    return x < 0 || y < 0 || x >= w || y >= h ? 0f : src[(y * w + x) * c + k];
  }

  static void gaussianNoise(float[] x, double std, SplittableRandom rng) {
    for (int i = 0; i < x.length; i++) {
      x[i] = clamp(x[i] + (float) (gaussian(rng) * std));
    }
  }

  static void brightnessContrast(float[] x, double brightness, double contrast) {
    double mean = 0;
    for (float v : x) {
      mean += v;
    }
    mean /= x.length;
    for (int i = 0; i < x.length; i++) {
      x[i] = clamp((float) ((x[i] - mean) * contrast + mean + brightness));
    }
  }

  static void cutout(float[] x, int h, int w, int c, int side, int cy, int cx) {
    int y0 = Math.max(0, cy - side / 2);
    int x0 = Math.max(0, cx - side / 2);
    int y1 = Math.min(h, y0 + side);
    int x1 = Math.min(w, x0 + side);
    for (int y = y0; y < y1; y++) {
      for (int xx = x0; xx < x1; xx++) {
        for (int k = 0; k < c; k++) {
          x[(y * w + xx) * c + k] = 0f;
        }
      }
    }
  }

  /** Elastic distortion: random displacement fields, Gaussian-smoothed, scaled by alpha. */
  static void elastic(float[] x, int h, int w, int c, double alpha, double sigma, SplittableRandom rng) {
    float[] dx = new float[h * w];
    float[] dy = new float[h * w];
    for (int i = 0; i < dx.length; i++) {
      dx[i] = (float) (rng.nextDouble() * 2 - 1);
      dy[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    blur(dx, h, w, sigma);
    blur(dy, h, w, sigma);
    double maxAbs = 1e-12;
    for (int i = 0; i < dx.length; i++) {
      maxAbs = Math.max(maxAbs, Math.max(Math.abs(dx[i]), Math.abs(dy[i])));
    }
    double k = alpha / maxAbs;
    float[] src = x.clone();
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        int i = y * w + xx;
        sample(src, h, w, c, xx + k * dx[i], y + k * dy[i], x, i * c);
      }
    }
  }

  /** Separable Gaussian blur of a single-channel h x w field, in place. */
  static void blur(float[] f, int h, int w, double sigma) {
    int r = Math.max(1, (int) Math.ceil(2 * sigma));
    double[] kernel = new double[2 * r + 1];
    double sum = 0;
    for (int i = -r; i <= r; i++) {
      kernel[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
      sum += kernel[i + r];
    }
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] /= sum;
    }
    float[] tmp = new float[f.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double v = 0;
        for (int i = -r; i <= r; i++) {
          int xx = Math.min(w - 1, Math.max(0, x + i));
          v += kernel[i + r] * f[y * w + xx];
        }
        tmp[y * w + x] = (float) v;
      }
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double v = 0;
        for (int i = -r; i <= r; i++) {
          int yy = Math.min(h - 1, Math.max(0, y + i));
          v += kernel[i + r] * tmp[yy * w + x];
        }
        f[y * w + x] = (float) v;
      }
    }
  }

  static float clamp(float v) {
    return v < 0f ? 0f : (v > 1f ? 1f : v);
  }

  /** Standard normal deviate (Box-Muller) from {@code rng}. */
  static double gaussian(SplittableRandom rng) {
    double u = 1.0 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
