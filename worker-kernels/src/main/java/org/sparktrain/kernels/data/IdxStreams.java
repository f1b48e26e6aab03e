package org.sparktrain.kernels.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opens IDX byte streams, gzipped or plain, detected from the content (not the file name). */
public final class IdxStreams {
  private static final int BUFFER = 1 << 16;

  private IdxStreams() {}

  /**
   * Wraps a raw file stream so that it yields the decompressed IDX bytes.
   *
   * @param raw the file's bytes as stored
   * @param path file name for error messages
   */
  public static InputStream decoded(InputStream raw, String path) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    if (!gzip && path.endsWith(".gz")) {
      throw new CorruptDataException(path, "file name ends in .gz but the file is not gzip data");
    }
    if (!gzip) {
      return in;
    }
    try {
      return new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
    } catch (ZipException e) {
      throw new CorruptDataException(path, "corrupt gzip header: " + e.getMessage(), e);
    }
  }

  /**
   * Reads exactly {@code len} bytes or fails naming the file, the record and what is missing.
   */
  public static void readFully(InputStream in, byte[] buf, int off, int len, String path, String what)
      throws IOException {
    int done = 0;
    while (done < len) {
      int n;
      try {
        n = in.read(buf, off + done, len - done);
      } catch (java.io.EOFException e) {
        n = -1;
      } catch (ZipException e) {
        throw new CorruptDataException(path, "corrupt gzip data while reading " + what + ": " + e.getMessage(), e);
      }
      if (n < 0) {
        throw new CorruptDataException(path, "truncated: file ends while reading " + what
            + " (" + done + " of " + len + " bytes present)");
      }
      done += n;
    }
  }

  /** Skips exactly {@code n} bytes (decompressing if needed) or fails naming the file. */
  public static void skipFully(InputStream in, long n, String path) throws IOException {
    byte[] scratch = new byte[BUFFER];
    long left = n;
    while (left > 0) {
      int chunk = (int) Math.min(scratch.length, left);
      readFully(in, scratch, 0, chunk, path, "records before this partition");
      left -= chunk;
    }
  }
}
