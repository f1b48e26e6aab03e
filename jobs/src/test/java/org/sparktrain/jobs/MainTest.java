package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's contract: exit codes and one clear line on stderr naming the key or file. */
class MainTest {
  @TempDir
  Path tmp;

  private static Cli.Result run(String... args) {
    return Cli.run(args);
  }

  private static String conf() {
    return Cli.conf("fashion-mnist-mlp.yaml");
  }

  @Test
  void helpListsTrain() {
    Cli.Result r = run("--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("train"), r.out());
  }

  @Test
  void unknownConfigKeyExitsWithUsageCode() {
    Cli.Result r = run("train", "--config", conf(), "--output", tmp.resolve("o").toString(), "--set", "training.epoch=2");
    assertEquals(ExitCodes.USAGE, r.code());
    assertTrue(r.err().startsWith("sparktrain: error: config key 'training.epoch': unknown key"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void badValueNamesKeyAndValue() {
    Cli.Result r = run("train", "--config", conf(), "--output", tmp.resolve("o").toString(), "--set",
        "training.batch_size=-1");
    assertEquals(ExitCodes.USAGE, r.code());
    assertTrue(r.err().contains("training.batch_size") && r.err().contains("-1"), r.err());
  }

  @Test
  void missingConfigFileIsNamed() {
    Cli.Result r = run("train", "--config", tmp.resolve("nope.yaml").toString(), "--output", tmp.toString());
    assertEquals(ExitCodes.USAGE, r.code());
    assertTrue(r.err().contains("nope.yaml does not exist"), r.err());
  }

  @Test
  void nonEmptyOutputIsRefusedBeforeSparkStarts() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(out.resolve("metrics.json"), "{}");
    Cli.Result r = run("train", "--config", conf(), "--output", out.toString(), "--master", "local[2]");
    assertEquals(ExitCodes.OUTPUT_EXISTS, r.code());
    assertTrue(r.err().contains(out.toString()) && r.err().contains("--overwrite"), r.err());
    assertEquals("{}", Files.readString(out.resolve("metrics.json")));
  }

  @Test
  void corruptDataExitsWithDataCodeNamingTheFile() throws Exception {
    Path bad = tmp.resolve("train-images.gz");
    byte[] all = Files.readAllBytes(Path.of(System.getProperty("sparktrain.fashion.dir"), "train-images-idx3-ubyte.gz"));
    Files.write(bad, Arrays.copyOf(all, 5000));
    Path out = tmp.resolve("out");
    Cli.Result r = run("train", "--config", conf(), "--output", out.toString(), "--master", "local[2]",
        "--set", "data.train.images=" + bad);
    assertEquals(ExitCodes.BAD_DATA, r.code());
    assertTrue(r.err().startsWith("sparktrain: error: " + bad) && r.err().contains("truncated"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void smallBenchWritesValidBenchJson() throws Exception {
    Path out = tmp.resolve("bench");
    Cli.Result r = run("bench", "--config", conf(), "--output", out.toString(), "--repeat", "2",
        "--engines", "single,sparktrain", "--pytorch", "off", "--master", "local[2]",
        "--set", "data.limit.train=2000", "--set", "data.limit.test=500", "--set", "training.epochs=1");
    assertEquals(0, r.code(), r.err());
    com.fasterxml.jackson.databind.JsonNode b = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(out.resolve("bench.json").toFile());
    assertEquals(4, b.get("runs").size());
    java.util.Set<String> order = new java.util.LinkedHashSet<>();
    for (com.fasterxml.jackson.databind.JsonNode run : b.get("runs")) {
      assertTrue(run.get("samples_per_second").asDouble() > 0, run.toString());
      assertTrue(run.get("test_accuracy").asDouble() > 0.3, run.toString());
      assertTrue(run.has("wall_seconds") && run.has("sync_fraction"), run.toString());
      order.add(run.get("engine").asText() + run.get("repeat").asInt());
    }
    assertEquals(java.util.List.of("single0", "sparktrain0", "sparktrain1", "single1"), new java.util.ArrayList<>(order),
        "engine order rotates between repeats");
    double ratio = b.get("ratios").get("sparktrain/single").asDouble();
    assertEquals(b.get("medians").get("sparktrain").get("samples_per_second").asDouble()
        / b.get("medians").get("single").get("samples_per_second").asDouble(), ratio, 1e-9);
    assertTrue(Files.readString(out.resolve("bench.md")).startsWith("| engine |"));
    assertTrue(r.out().isEmpty() || !r.out().contains("error"));
  }

  @Test
  void augmentPreviewWritesAGridOfTheExpectedSize() throws Exception {
    Path out = tmp.resolve("preview");
    String cnn = Path.of(System.getProperty("sparktrain.repo.root", "..")).resolve("conf/fashion-mnist-cnn-augmented.yaml")
        .toString();
    Cli.Result r = run("augment-preview", "--config", cnn, "--output", out.toString(), "--examples", "4", "--variants", "5",
        "--zoom", "2");
    assertEquals(0, r.code(), r.err());
    java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(out.resolve("preview.png").toFile());
    assertEquals(6 * (28 * 2 + 2), img.getWidth());
    assertEquals(4 * (28 * 2 + 2), img.getHeight());
  }

  @Test
  void exportImagesWritesClassFolders() throws Exception {
    Path out = tmp.resolve("tree");
    String dir = System.getProperty("sparktrain.fashion.dir");
    Cli.Result r = run("export-images", "--images", dir + "/t10k-images-idx3-ubyte.gz", "--labels",
        dir + "/t10k-labels-idx1-ubyte.gz", "--output", out.toString(), "--limit", "30");
    assertEquals(0, r.code(), r.err());
    try (java.util.stream.Stream<Path> files = Files.walk(out)) {
      assertEquals(30, files.filter(p -> p.toString().endsWith(".png")).count());
    }
    assertTrue(Files.isDirectory(out.resolve("9-ankle-boot")), "first test example is an ankle boot");
  }
}
