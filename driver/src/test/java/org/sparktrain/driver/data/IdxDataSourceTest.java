package org.sparktrain.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.IdxWriter;

class IdxDataSourceTest extends SparkTestBase {
  @TempDir
  Path tmp;

  @Test
  void realFashionMnistIsBalancedAcrossPartitions() {
    DistributedDataset d = IdxDataSource.load(sc, fashion("train-images-idx3-ubyte.gz"),
        fashion("train-labels-idx1-ubyte.gz"), 10, 7, 0, null);
    assertEquals(7, d.partitions());
    assertEquals(60000, d.count());
    int min = java.util.Arrays.stream(d.partitionCounts()).min().orElseThrow();
    int max = java.util.Arrays.stream(d.partitionCounts()).max().orElseThrow();
    assertTrue(max - min <= 1, "partition sizes differ by more than one: " + min + ".." + max);
    List<ExampleBlock> blocks = d.blocks().collect();
    assertEquals(7, blocks.size());
    long next = 0;
    for (int p = 0; p < blocks.size(); p++) {
      assertEquals(next, blocks.get(p).firstId(), "partition " + p + " starts where the previous ended");
      assertEquals(d.partitionCounts()[p], blocks.get(p).count());
      next += blocks.get(p).count();
    }
    assertArrayEquals(new int[] {28, 28}, d.exampleShape());
    assertEquals(64, d.sha256("images").length());
    d.blocks().unpersist(false);
  }

  @Test
  void limitAndDefaultParallelism() {
    DistributedDataset d = IdxDataSource.load(sc, fashion("t10k-images-idx3-ubyte.gz"),
        fashion("t10k-labels-idx1-ubyte.gz"), 10, 0, 1001, null);
    assertEquals(sc.defaultParallelism(), d.partitions());
    assertEquals(1001, d.count());
    assertEquals(1001L, d.blocks().map(ExampleBlock::count).reduce(Integer::sum).longValue());
  }

  @Test
  void moreParitionsThanExamplesGivesEmptyPartitions() throws Exception {
    Path[] f = IdxWriter.synthetic(tmp, "tiny", 3, 2, 2, 2, 1, false);
    DistributedDataset d = IdxDataSource.load(sc, f[0].toString(), f[1].toString(), 2, 5, 0, null);
    assertEquals(5, d.partitions());
    assertEquals(3, d.count());
    assertEquals(2, java.util.Arrays.stream(d.partitionCounts()).filter(c -> c == 0).count());
  }

  @Test
  void countMismatchNamesBothFiles() throws Exception {
    Path img = tmp.resolve("img");
    Path lbl = tmp.resolve("lbl");
    IdxWriter.write(img, new int[] {5, 2, 2}, new byte[20], false);
    IdxWriter.write(lbl, new int[] {4}, new byte[4], false);
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> IdxDataSource.load(sc, img.toString(), lbl.toString(), 10, 2, 0, null));
    assertTrue(e.getMessage().contains("count mismatch") && e.getMessage().contains(img.toString())
        && e.getMessage().startsWith(lbl.toString()), e.getMessage());
  }

  @Test
  void labelOutsideClassRangeIsNamed() throws Exception {
    Path img = tmp.resolve("img");
    Path lbl = tmp.resolve("lbl");
    IdxWriter.write(img, new int[] {3, 2, 2}, new byte[12], false);
    IdxWriter.write(lbl, new int[] {3}, new byte[] {0, 10, 2}, false);
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> IdxDataSource.load(sc, img.toString(), lbl.toString(), 10, 2, 0, null));
    assertTrue(e.getMessage().startsWith(lbl.toString()) && e.getMessage().contains("label 10 is outside"),
        e.getMessage());
  }

  @Test
  void wrongImageSizeIsNamed() throws Exception {
    Path[] f = IdxWriter.synthetic(tmp, "small", 10, 14, 14, 10, 1, true);
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> IdxDataSource.load(sc, f[0].toString(), f[1].toString(), 10, 2, 0, new int[] {28, 28}));
    assertTrue(e.getMessage().startsWith(f[0].toString()) && e.getMessage().contains("wrong image size"),
        e.getMessage());
  }

  @Test
  void swappedImagesAndLabelsAreNamed() {
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdxDataSource.load(sc,
        fashion("t10k-labels-idx1-ubyte.gz"), fashion("t10k-images-idx3-ubyte.gz"), 10, 2, 0, null));
    assertTrue(e.getMessage().contains("is it a labels file?"), e.getMessage());
  }

  @Test
  void readsFromHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      cluster.waitActive();
      FileSystem fs = cluster.getFileSystem();
      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path("/data");
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(fashionDir().resolve("t10k-images-idx3-ubyte.gz").toString()),
          new org.apache.hadoop.fs.Path(dir, "images.gz"));
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(fashionDir().resolve("t10k-labels-idx1-ubyte.gz").toString()),
          new org.apache.hadoop.fs.Path(dir, "labels.gz"));
      String base = fs.getUri() + "/data/";
      assertTrue(base.startsWith("hdfs://"), base);
      DistributedDataset hdfs = IdxDataSource.load(sc, base + "images.gz", base + "labels.gz", 10, 3, 0, null);
      DistributedDataset local = IdxDataSource.load(sc, fashion("t10k-images-idx3-ubyte.gz"),
          fashion("t10k-labels-idx1-ubyte.gz"), 10, 3, 0, null);
      assertEquals(local.sha256("images"), hdfs.sha256("images"));
      List<ExampleBlock> a = hdfs.blocks().collect();
      List<ExampleBlock> b = local.blocks().collect();
      for (int p = 0; p < 3; p++) {
        assertEquals(b.get(p).count(), a.get(p).count());
        assertArrayEquals(b.get(p).rawFeatures(17), a.get(p).rawFeatures(17));
        assertEquals(b.get(p).label(17), a.get(p).label(17));
      }
    } finally {
      cluster.shutdown();
    }
  }
}
