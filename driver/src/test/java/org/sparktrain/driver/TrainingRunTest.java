package org.sparktrain.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.output.OutputExistsException;
import org.sparktrain.driver.output.RunOutput;
import org.sparktrain.driver.train.DistributedEvaluator;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.IdxFiles;

/** End to end on real Fashion-MNIST: train, evaluate, publish; and what must never be overwritten. */
class TrainingRunTest extends SparkTestBase {
  @TempDir
  Path tmp;

  private static TrainConfig shipped(String... overrides) throws Exception {
    List<String> sets = new ArrayList<>(List.of(
        "data.train.images=" + fashion("train-images-idx3-ubyte.gz"),
        "data.train.labels=" + fashion("train-labels-idx1-ubyte.gz"),
        "data.test.images=" + fashion("t10k-images-idx3-ubyte.gz"),
        "data.test.labels=" + fashion("t10k-labels-idx1-ubyte.gz")));
    sets.addAll(Arrays.asList(overrides));
    try (InputStream in = Files.newInputStream(repoRoot().resolve("conf/fashion-mnist-mlp.yaml"))) {
      return ConfigLoader.load("fashion-mnist-mlp.yaml", in, sets);
    }
  }

  @Test
  void trainsSubsetAndPublishesEveryArtefact() throws Exception {
    Path out = tmp.resolve("run");
    TrainConfig cfg = shipped("data.limit.train=20000", "training.epochs=1", "data.partitions=2").withOutputDir(
        out.toString());
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    TrainingRun.Summary s = TrainingRun.run(sc, cfg, false, new PrintStream(console, true, StandardCharsets.UTF_8),
        List.of());
    String printed = console.toString(StandardCharsets.UTF_8);

    assertTrue(s.testAccuracy() >= 0.80, "test accuracy " + s.testAccuracy() + " < 0.80");
    assertTrue(printed.contains("round 1/") && printed.contains("ETA"), printed);
    assertTrue(printed.contains("done: test_accuracy " + String.format(java.util.Locale.ROOT, "%.4f",
        s.testAccuracy())), printed);
    for (String f : TrainingRun.ARTEFACTS) {
      assertTrue(Files.size(out.resolve(f)) > 0, f + " missing or empty");
    }
    assertTrue(Files.exists(out.resolve(RunOutput.SUCCESS)));
    try (Stream<Path> left = Files.list(out)) {
      assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith("_staging")), "staging left behind");
    }

    ObjectMapper json = new ObjectMapper();
    JsonNode metrics = json.readTree(out.resolve("metrics.json").toFile());
    assertEquals(s.testAccuracy(), metrics.get("test_accuracy").asDouble());
    assertEquals(20000, metrics.get("train_samples").asLong());
    assertEquals(1, metrics.get("epochs").asInt());
    assertTrue(metrics.get("wall_seconds").asDouble() > 0);
    assertTrue(metrics.get("samples_per_second").asDouble() > 0);
    assertEquals("sparktrain", metrics.get("engine").asText());
    double sync = metrics.get("sync_fraction").asDouble();
    assertTrue(sync > 0 && sync < 1, "sync fraction " + sync);
    assertEquals(10.0, metrics.get("mean_k").asDouble());
    JsonNode rounds = metrics.get("rounds");
    assertEquals(16, rounds.size(), "10000 examples per partition / 64 = 157 batches -> 16 rounds at k=10");
    JsonNode r0 = rounds.get(0);
    assertEquals(1, r0.get("round").asInt());
    assertTrue(r0.get("loss").asDouble() > rounds.get(15).get("loss").asDouble(), "loss falls");
    assertTrue(r0.get("seconds").asDouble() > 0);
    assertEquals(2, r0.get("workers").size());
    JsonNode w0 = r0.get("workers").get(0);
    for (String key : List.of("partition", "worker", "examples", "batches", "loss", "compute_seconds", "data_seconds",
        "load_seconds", "sync_seconds")) {
      assertTrue(w0.has(key), "worker stats lack " + key + ": " + w0);
    }
    assertEquals(640, w0.get("examples").asLong(), "k=10 minibatches of 64");
    assertTrue(r0.has("relative_spread") && r0.get("k").asInt() == 10, r0.toString());

    // model.zip is plain DL4J and reproduces the reported accuracy
    MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(out.resolve("model.zip").toFile(), true);
    ExampleBlock test = IdxFiles.readRange(fashion("t10k-images-idx3-ubyte.gz"), fashion("t10k-labels-idx1-ubyte.gz"),
        0, 10000, 10, new Configuration());
    Evaluation eval = new Evaluation(10);
    DistributedEvaluator.evaluateBlock(new org.sparktrain.kernels.model.MultiLayerModel(restored), test, 10, 1000, eval);
    assertEquals(s.testAccuracy(), eval.accuracy(), 1e-9);

    // config.yaml is the resolved config and loads back to the same thing
    try (InputStream in = Files.newInputStream(out.resolve("config.yaml"))) {
      assertEquals(cfg, ConfigLoader.load("config.yaml", in, List.of()));
    }

    JsonNode prov = json.readTree(out.resolve("provenance.json").toFile());
    for (String k : List.of("train_images", "train_labels", "test_images", "test_labels")) {
      assertEquals(64, prov.get("data").get(k).get("sha256").asText().length(), k);
    }
    assertEquals(IdxFiles.inspect(fashion("train-labels-idx1-ubyte.gz"), new Configuration()).sha256(),
        prov.get("data").get("train_labels").get("sha256").asText());
    assertEquals(42, prov.get("seed").asLong());
    JsonNode env = prov.get("environment");
    assertEquals("3.5.9", env.get("spark_version").asText());
    assertEquals(System.getProperty("java.version"), env.get("java_version").asText());
    assertTrue(env.get("nd4j_backend").asText().contains("Cpu"), env.toString());
    assertEquals(org.sparktrain.kernels.device.NativeBackend.classifier(), env.get("nd4j_native_build").asText());
    assertTrue(env.get("layer_helpers").asBoolean(), env.toString());
    assertEquals("1.0.0-M2", env.get("dl4j_version").asText());
    assertFalse(env.get("sparktrain_version").asText().equals("unknown"));
    assertEquals(64, prov.get("config").get("training").get("batch_size").asInt());
  }

  @Test
  void singleEngineRunsWithoutSpark() throws Exception {
    Path out = tmp.resolve("single");
    TrainConfig cfg = shipped("engine=single", "data.limit.train=3000", "data.limit.test=1000", "training.epochs=1")
        .withOutputDir(out.toString());
    TrainingRun.Summary s = TrainingRun.run(null, cfg, false, new PrintStream(new ByteArrayOutputStream()), List.of());
    assertTrue(s.testAccuracy() > 0.6, "accuracy " + s.testAccuracy());
    JsonNode prov = new ObjectMapper().readTree(out.resolve("provenance.json").toFile());
    assertTrue(prov.get("environment").get("spark_master").asText().startsWith("none"));
    assertEquals("single", new ObjectMapper().readTree(out.resolve("metrics.json").toFile()).get("engine").asText());
    assertTrue(Files.exists(out.resolve(RunOutput.SUCCESS)));
  }

  @Test
  void refusesNonEmptyOutputAndLeavesItAlone() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(out.resolve("model.zip"), "earlier run");
    TrainConfig cfg = shipped("data.limit.train=100").withOutputDir(out.toString());
    OutputExistsException e = assertThrows(OutputExistsException.class,
        () -> TrainingRun.run(sc, cfg, false, new PrintStream(new ByteArrayOutputStream()), List.of()));
    assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("--overwrite"), e.getMessage());
    assertEquals("earlier run", Files.readString(out.resolve("model.zip")));
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void corruptDataWithOverwriteKeepsEarlierResults() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("finished"));
    Files.writeString(out.resolve("model.zip"), "earlier model");
    Files.writeString(out.resolve(RunOutput.SUCCESS), "");
    Path badLabels = tmp.resolve("labels.gz");
    byte[] all = Files.readAllBytes(fashionDir().resolve("train-labels-idx1-ubyte.gz"));
    Files.write(badLabels, Arrays.copyOf(all, 1000));
    TrainConfig cfg = shipped("data.train.labels=" + badLabels).withOutputDir(out.toString());
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> TrainingRun.run(sc, cfg, true, new PrintStream(new ByteArrayOutputStream()), List.of()));
    assertTrue(e.getMessage().startsWith(badLabels.toString()) && e.getMessage().contains("truncated"),
        e.getMessage());
    assertEquals("earlier model", Files.readString(out.resolve("model.zip")));
    try (Stream<Path> files = Files.list(out)) {
      assertArrayEquals(new String[] {"_SUCCESS", "model.zip"},
          files.map(p -> p.getFileName().toString()).sorted().toArray());
    }
  }

  @Test
  void corruptDataLeavesNoOutputDirectoryBehind() throws Exception {
    Path out = tmp.resolve("never");
    Path img = tmp.resolve("images");
    Files.write(img, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    TrainConfig cfg = shipped("data.test.images=" + img).withOutputDir(out.toString());
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> TrainingRun.run(sc, cfg, false, new PrintStream(new ByteArrayOutputStream()), List.of()));
    assertTrue(e.getMessage().contains("wrong magic number"), e.getMessage());
    assertFalse(Files.exists(out), "a failed run must not leave a directory that looks like a run");
  }

  @Test
  void failedRunKeepsAnEmptyOutputDirectoryTheUserMade() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("made-by-user"));
    Path img = tmp.resolve("not-idx");
    Files.write(img, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    TrainConfig cfg = shipped("data.test.images=" + img).withOutputDir(out.toString());
    assertThrows(CorruptDataException.class,
        () -> TrainingRun.run(sc, cfg, false, new PrintStream(new ByteArrayOutputStream()), List.of()));
    assertTrue(Files.isDirectory(out), "the user's (empty) directory stays");
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(0, files.count(), "and stays empty");
    }
  }

  @Test
  void sharedCheckpointDirectoryIsResumedAutomaticallyOnlyIntoItsOwnOutput() throws Exception {
    Path shared = tmp.resolve("shared-checkpoints");
    String[] sets = {"data.limit.train=2000", "data.limit.test=500", "training.epochs=1", "data.partitions=2",
        "checkpoint.every_rounds=1", "checkpoint.dir=" + shared};
    Path first = tmp.resolve("night-1");
    TrainingRun.run(sc, shipped(sets).withOutputDir(first.toString()), false,
        new PrintStream(new ByteArrayOutputStream()), List.of());
    assertTrue(Files.exists(first.resolve(RunOutput.SUCCESS)));
    // The next night writes to a new output directory with the same checkpoint directory: yesterday's
    // (finished) run is not resumed, and its checkpoints are superseded by tonight's.
    Path second = tmp.resolve("night-2");
    TrainConfig next = shipped(sets).withOutputDir(second.toString());
    assertFalse(TrainingRun.resumes(next, false, false, new Configuration()));
    TrainingRun.Summary s = TrainingRun.run(sc, next, false, new PrintStream(new ByteArrayOutputStream()), List.of());
    assertFalse(s.metrics().containsKey("resumed_from_checkpoint"), s.metrics().keySet().toString());
    JsonNode m1 = new ObjectMapper().readTree(first.resolve("metrics.json").toFile());
    JsonNode m2 = new ObjectMapper().readTree(second.resolve("metrics.json").toFile());
    assertEquals(m1.get("test_accuracy").asDouble(), m2.get("test_accuracy").asDouble(), 0.0, "same seed, same run");
    // 1,000 examples per partition, 16 batches, k=10: two rounds, a checkpoint after each
    try (Stream<Path> left = Files.list(shared)) {
      List<Path> dirs = left.sorted().toList();
      assertEquals(List.of("round-00000001", "round-00000002"), dirs.stream().map(p -> p.getFileName().toString())
          .toList());
      for (Path d : dirs) {
        assertEquals(m2.get("run_id").asText(), new ObjectMapper().readTree(d.resolve("MANIFEST.json").toFile())
            .get("run_id").asText(), "last night's checkpoints were superseded by tonight's");
      }
    }
    // An explicit --resume continues whatever the checkpoint directory holds, into any output.
    assertTrue(TrainingRun.resumes(shipped(sets).withOutputDir(tmp.resolve("night-3").toString()), false, true,
        new Configuration()));
  }
}
