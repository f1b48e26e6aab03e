package org.sparktrain.kernels.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFilesTest {
  private static final Configuration CONF = new Configuration();

  @TempDir
  Path tmp;

  @Test
  void inspectsRealFashionMnist() throws IOException {
    IdxFileSummary img = IdxFiles.inspect(FashionMnist.trainImages(), CONF);
    IdxFileSummary lbl = IdxFiles.inspect(FashionMnist.trainLabels(), CONF);
    assertArrayEquals(new int[] {60000, 28, 28}, img.header().dims());
    assertArrayEquals(new int[] {60000}, lbl.header().dims());
    assertEquals(9, lbl.maxLabel());
    assertEquals(-1, img.maxLabel());
    assertEquals(64, img.sha256().length());
    assertEquals(Files.size(FashionMnist.dir().resolve("train-images-idx3-ubyte.gz")), img.storedBytes());
    IdxFileSummary test = IdxFiles.inspect(FashionMnist.testImages(), CONF);
    assertEquals(10000, test.header().count());
  }

  @Test
  void gzippedAndPlainRangesAgree() throws IOException {
    Path plainImg = gunzip(FashionMnist.dir().resolve("t10k-images-idx3-ubyte.gz"), tmp.resolve("img"));
    Path plainLbl = gunzip(FashionMnist.dir().resolve("t10k-labels-idx1-ubyte.gz"), tmp.resolve("lbl"));
    ExampleBlock gz = IdxFiles.readRange(FashionMnist.testImages(), FashionMnist.testLabels(), 1234, 100, 10, CONF);
    ExampleBlock plain = IdxFiles.readRange(plainImg.toString(), plainLbl.toString(), 1234, 100, 10, CONF);
    assertEquals(100, gz.count());
    assertEquals(1234, gz.firstId());
    assertArrayEquals(new int[] {28, 28}, gz.shape());
    for (int i = 0; i < 100; i++) {
      assertEquals(gz.label(i), plain.label(i));
      assertArrayEquals(gz.rawFeatures(i), plain.rawFeatures(i));
    }
    // the known first test label of Fashion-MNIST is 9 (ankle boot)
    assertEquals(9, IdxFiles.readRange(FashionMnist.testImages(), FashionMnist.testLabels(), 0, 1, 10, CONF).label(0));
    assertEquals(IdxFiles.inspect(plainImg.toString(), CONF).header(),
        IdxFiles.inspect(FashionMnist.testImages(), CONF).header());
  }

  @Test
  void wrongMagicIsRejected() throws IOException {
    Path f = tmp.resolve("bad-magic");
    Files.write(f, new byte[] {0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 5});
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxFiles.inspect(f.toString(), CONF));
    assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("wrong magic number"), e.getMessage());
  }

  @Test
  void unsupportedTypeIsRejected() throws IOException {
    Path f = tmp.resolve("floats");
    Files.write(f, new byte[] {0, 0, 0x0D, 0x01, 0, 0, 0, 1, 0, 0, 0, 0});
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxFiles.inspect(f.toString(), CONF));
    assertTrue(e.getMessage().contains("data type 0x0d"), e.getMessage());
  }

  @Test
  void emptyFileIsRejected() throws IOException {
    Path f = tmp.resolve("empty");
    Files.write(f, new byte[0]);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxFiles.inspect(f.toString(), CONF));
    assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void truncatedPlainFileIsRejected() throws IOException {
    Path f = tmp.resolve("short");
    IdxWriter.write(f, new int[] {10, 4, 4}, new byte[160], false);
    byte[] all = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(all, all.length - 7));
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxFiles.inspect(f.toString(), CONF));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void truncatedGzipIsRejected() throws IOException {
    Path src = FashionMnist.dir().resolve("t10k-labels-idx1-ubyte.gz");
    byte[] all = Files.readAllBytes(src);
    Path f = tmp.resolve("cut-labels.gz");
    Files.write(f, Arrays.copyOf(all, all.length / 2));
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxFiles.inspect(f.toString(), CONF));
    assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void notGzipDespiteNameIsRejected() throws IOException {
    Path f = tmp.resolve("labels.gz");
    IdxWriter.write(f, new int[] {3}, new byte[] {1, 2, 3}, false);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxFiles.inspect(f.toString(), CONF));
    assertTrue(e.getMessage().contains("not gzip"), e.getMessage());
  }

  @Test
  void corruptGzipBodyIsRejected() throws IOException {
    Path src = FashionMnist.dir().resolve("t10k-labels-idx1-ubyte.gz");
    byte[] all = Files.readAllBytes(src);
    for (int i = 20; i < 60; i++) {
      all[i] = (byte) ~all[i];
    }
    Path f = tmp.resolve("garbled.gz");
    Files.write(f, all);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxFiles.inspect(f.toString(), CONF));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
  }

  @Test
  void trailingBytesAreRejected() throws IOException {
    Path f = tmp.resolve("long");
    IdxWriter.write(f, new int[] {3}, new byte[] {1, 2, 3, 4, 5}, false);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxFiles.inspect(f.toString(), CONF));
    assertTrue(e.getMessage().contains("2 bytes after"), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    String missing = tmp.resolve("nope.gz").toString();
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxFiles.inspect(missing, CONF));
    assertTrue(e.getMessage().contains(missing) && e.getMessage().contains("not found"), e.getMessage());
  }

  @Test
  void labelOutOfRangeIsRejectedOnRangeRead() throws IOException {
    Path img = tmp.resolve("i");
    Path lbl = tmp.resolve("l");
    IdxWriter.write(img, new int[] {4, 2, 2}, new byte[16], false);
    IdxWriter.write(lbl, new int[] {4}, new byte[] {0, 1, 12, 3}, false);
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> IdxFiles.readRange(img.toString(), lbl.toString(), 0, 4, 10, CONF));
    assertTrue(e.getMessage().contains(lbl.toString()) && e.getMessage().contains("label 12 of record 2"),
        e.getMessage());
  }

  @Test
  void syntheticWriterRoundTrips() throws IOException {
    Path[] files = IdxWriter.synthetic(tmp, "syn", 50, 6, 5, 3, 7L, true);
    IdxFileSummary img = IdxFiles.inspect(files[0].toString(), CONF);
    assertArrayEquals(new int[] {50, 6, 5}, img.header().dims());
    assertTrue(IdxFiles.inspect(files[1].toString(), CONF).maxLabel() <= 2);
    ExampleBlock b = IdxFiles.readRange(files[0].toString(), files[1].toString(), 10, 20, 3, CONF);
    assertEquals(20, b.count());
    assertEquals(30, b.featureSize());
  }

  private static Path gunzip(Path src, Path dst) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(src))) {
      Files.copy(in, dst);
    }
    return dst;
  }
}
