package org.sparktrain.kernels.data;

import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads IDX files from any Hadoop path (file://, hdfs://, s3a://, gs://): a full validating pass
 * with a content hash (driver side, once per run) and ranged reads of records (executor side, one
 * per partition).
 */
public final class IdxFiles {
  private IdxFiles() {}

  /**
   * Reads the whole file once: validates header and length (no truncation, no trailing bytes),
   * hashes the stored bytes and, for 1-dimensional files, finds the largest label.
   */
  public static IdxFileSummary inspect(String path, Configuration conf) {
    MessageDigest sha = sha256();
    long[] stored = new long[1];
    try (InputStream raw = open(path, conf);
         InputStream counted = new CountingStream(new DigestInputStream(raw, sha), stored);
         DataInputStream in = new DataInputStream(IdxStreams.decoded(counted, path))) {
      IdxHeader header = IdxHeader.read(in, path);
      int maxLabel = -1;
      byte[] buf = new byte[1 << 16];
      long left = header.dataBytes();
      boolean labels = header.dims().length == 1;
      while (left > 0) {
        int chunk = (int) Math.min(buf.length, left);
        IdxStreams.readFully(in, buf, 0, chunk, path,
            "record data (header promises " + header.count() + " records of " + header.recordSize() + " bytes)");
        if (labels) {
          for (int i = 0; i < chunk; i++) {
            maxLabel = Math.max(maxLabel, buf[i] & 0xff);
          }
        }
        left -= chunk;
      }
      long trailing = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        trailing += n;
      }
      if (trailing > 0) {
        throw new CorruptDataException(path, trailing + " bytes after the " + header.count()
            + " records the header declares (header " + Arrays.toString(header.dims()) + ")");
      }
      return new IdxFileSummary(path, header, stored[0], HexFormat.of().formatHex(sha.digest()), maxLabel);
    } catch (java.util.zip.ZipException e) {
      throw new CorruptDataException(path, "corrupt gzip data: " + e.getMessage(), e);
    } catch (java.io.EOFException e) {
      throw new CorruptDataException(path, "truncated: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads records {@code [start, start + count)} of a matching images/labels pair.
   *
   * @param numClasses labels must lie in {@code [0, numClasses)}
   */
  public static ExampleBlock readRange(String imagesPath, String labelsPath, long start, int count,
                                       int numClasses, Configuration conf) {
    try (InputStream imgRaw = open(imagesPath, conf);
         InputStream lblRaw = open(labelsPath, conf);
         DataInputStream img = new DataInputStream(IdxStreams.decoded(imgRaw, imagesPath));
         DataInputStream lbl = new DataInputStream(IdxStreams.decoded(lblRaw, labelsPath))) {
      IdxHeader ih = IdxHeader.read(img, imagesPath);
      IdxHeader lh = IdxHeader.read(lbl, labelsPath);
      if (start + count > ih.count() || start + count > lh.count()) {
        throw new CorruptDataException(imagesPath, "range [" + start + ", " + (start + count)
            + ") lies beyond the " + Math.min(ih.count(), lh.count()) + " records in the file");
      }
      int size = ih.recordSize();
      IdxStreams.skipFully(img, start * size, imagesPath);
      IdxStreams.skipFully(lbl, start, labelsPath);
      byte[] features = new byte[Math.multiplyExact(count, size)];
      byte[] labels = new byte[count];
      IdxStreams.readFully(img, features, 0, features.length, imagesPath, "records " + start + ".." + (start + count));
      IdxStreams.readFully(lbl, labels, 0, labels.length, labelsPath, "labels " + start + ".." + (start + count));
      for (int i = 0; i < count; i++) {
        int label = labels[i] & 0xff;
        if (label >= numClasses) {
          throw new CorruptDataException(labelsPath, "label " + label + " of record " + (start + i)
              + " is outside the class range [0, " + numClasses + ")");
        }
      }
      return new ExampleBlock(start, ih.recordShape(), features, labels);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + imagesPath + " / " + labelsPath + ": " + e.getMessage(), e);
    }
  }

  private static InputStream open(String path, Configuration conf) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    try {
      FSDataInputStream in = fs.open(p);
      return in;
    } catch (FileNotFoundException e) {
      throw new CorruptDataException(path, "file not found", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JVM lacks SHA-256", e);
    }
  }

  /** Counts bytes passing through, for the stored (compressed) size. */
  private static final class CountingStream extends java.io.FilterInputStream {
    private final long[] counter;

    CountingStream(InputStream in, long[] counter) {
      super(in);
      this.counter = counter;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        counter[0]++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        counter[0] += n;
      }
      return n;
    }
  }
}
