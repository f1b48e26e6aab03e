package org.sparktrain.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.IdxFiles;
import org.sparktrain.kernels.image.ImageDecoder;
import org.sparktrain.kernels.image.ImageTree;

/** Image folders: a generated tree round-trips exactly; broken files fail or are skipped and counted. */
class ImageFolderSourceTest extends SparkTestBase {
  private static final Configuration CONF = new Configuration();
  private static final ImageDecoder GRAY28 = new ImageDecoder(28, 28, 1);

  @TempDir
  Path tmp;
  private ExampleBlock original;
  private Path root;

  @BeforeEach
  void tree() {
    original = IdxFiles.readRange(fashion("t10k-images-idx3-ubyte.gz"), fashion("t10k-labels-idx1-ubyte.gz"), 0, 200,
        10, CONF);
    root = tmp.resolve("tree");
    assertEquals(200, ImageTree.export(original, 10, ImageTree.FASHION_MNIST, root.toString(), CONF));
  }

  @Test
  void exportedTreeRoundTripsExactly() {
    ImageFolderSource.Loaded a = ImageFolderSource.load(sc, root.toString(), GRAY28, 10, 3, 0, false, CONF);
    assertEquals(List.of("0-t-shirt", "1-trouser", "2-pullover", "3-dress", "4-coat", "5-sandal", "6-shirt",
        "7-sneaker", "8-bag", "9-ankle-boot"), a.listing().classes());
    assertEquals(200, a.distributed().count());
    assertEquals(3, a.distributed().partitions());
    // every original example appears once, with its label, byte for byte (PNG is lossless)
    List<ExampleBlock> blocks = a.distributed().blocks().collect();
    int found = 0;
    for (ExampleBlock b : blocks) {
      for (int i = 0; i < b.count(); i++) {
        int idx = Integer.parseInt(a.listing().files().get((int) b.firstId() + i).replaceAll(".*/(\\d+)\\.png", "$1"));
        assertArrayEquals(original.rawFeatures(idx), b.rawFeatures(i), "image " + idx);
        assertEquals(original.label(idx), b.label(i), "label of " + idx);
        found++;
      }
    }
    assertEquals(200, found);
    ImageFolderSource.Loaded again = ImageFolderSource.load(null, root.toString(), GRAY28, 10, 0, 0, false, CONF);
    assertEquals(a.summary().sha256(), again.summary().sha256(), "content hash independent of partitioning");
    assertEquals(200, again.local().count());
    a.distributed().blocks().unpersist(false);
  }

  @Test
  void resizesAndConvertsChannels() {
    ImageFolderSource.Loaded rgb = ImageFolderSource.load(null, root.toString(), new ImageDecoder(14, 14, 3), 10, 0, 0,
        false, CONF);
    ExampleBlock b = rgb.local();
    assertArrayEquals(new int[] {14, 14, 3}, b.shape());
    byte[] px = b.rawFeatures(0);
    for (int i = 0; i < 14 * 14; i++) {
      assertEquals(px[3 * i], px[3 * i + 1], "grey source gives R = G");
      assertEquals(px[3 * i], px[3 * i + 2], "grey source gives R = B");
    }
  }

  @Test
  void brokenFilesFailOrAreSkippedAndCounted() throws Exception {
    Files.writeString(root.resolve("3-dress/notes.txt"), "not an image");
    Files.write(root.resolve("4-coat/empty.png"), new byte[0]);
    byte[] png = Files.readAllBytes(root.resolve("0-t-shirt").resolve(Files.list(root.resolve("0-t-shirt")).findFirst()
        .orElseThrow().getFileName()));
    Files.write(root.resolve("0-t-shirt/cut.png"), Arrays.copyOf(png, png.length / 2));
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> ImageFolderSource.load(sc, root.toString(), GRAY28, 10, 2, 0, false, CONF));
    assertTrue(e.getMessage().contains("3 bad file(s)") && e.getMessage().contains("on_bad_file: skip"),
        e.getMessage());
    assertTrue(e.path().endsWith("cut.png") || e.path().endsWith("empty.png") || e.path().endsWith("notes.txt"),
        e.path());
    ImageFolderSource.Loaded skipped = ImageFolderSource.load(sc, root.toString(), GRAY28, 10, 2, 0, true, CONF);
    assertEquals(200, skipped.distributed().count());
    assertEquals(3, skipped.problems().size());
    assertTrue(skipped.problems().stream().anyMatch(p -> p.contains("empty.png: empty file")), skipped.problems()
        .toString());
    assertTrue(skipped.problems().stream().anyMatch(p -> p.contains("notes.txt: not an image")));
    skipped.distributed().blocks().unpersist(false);
  }

  @Test
  void classCountMustMatchConfig() {
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> ImageFolderSource.load(null, root.toString(), GRAY28, 5, 0, 0, false, CONF));
    assertTrue(e.getMessage().contains("10 class folders") && e.getMessage().contains("data.num_classes is 5"),
        e.getMessage());
    CorruptDataException missing = assertThrows(CorruptDataException.class,
        () -> ImageFolderSource.load(null, tmp.resolve("nope").toString(), GRAY28, 10, 0, 0, false, CONF));
    assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
  }
}
