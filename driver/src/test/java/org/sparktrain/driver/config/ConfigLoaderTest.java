package org.sparktrain.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private static final String PATHS = """
      data:
        train: {images: /d/train-images, labels: /d/train-labels}
        test: {images: /d/test-images, labels: /d/test-labels}
      model:
        layers:
          - {type: dense, units: 32, activation: relu}
          - {type: output, activation: softmax}
      """;

  private static TrainConfig load(String yaml, String... sets) {
    return ConfigLoader.load("test.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
        List.of(sets));
  }

  private static ConfigException fails(String yaml, String... sets) {
    return assertThrows(ConfigException.class, () -> load(yaml, sets));
  }

  @Test
  void shippedConfigsLoad() throws IOException {
    Path root = Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath().normalize();
    try (InputStream in = Files.newInputStream(root.resolve("conf/fashion-mnist-mlp.yaml"))) {
      TrainConfig c = ConfigLoader.load("fashion-mnist-mlp.yaml", in, List.of());
      assertEquals(64, c.training().batchSize());
      assertEquals("adam", c.optimizer().type());
      assertEquals(0.001, c.optimizer().learningRate());
      assertEquals(3, c.model().layers().size());
      assertEquals(256, c.model().layers().get(0).units());
      assertTrue(c.training().epochs() <= 2);
      assertEquals("sparktrain", c.engine());
    }
    try (InputStream in = Files.newInputStream(root.resolve("conf/fashion-mnist-cnn.yaml"))) {
      TrainConfig c = ConfigLoader.load("fashion-mnist-cnn.yaml", in, List.of());
      assertEquals(List.of("conv", "maxpool", "conv", "maxpool", "dense", "output"),
          c.model().layers().stream().map(l -> l.type()).toList());
      assertEquals(20, c.model().layers().get(0).filters());
      assertEquals(500, c.model().layers().get(4).units());
    }
  }

  /** Every training config under conf/ loads, and those on the Fashion-MNIST IDX files build their network. */
  @Test
  void everyShippedTrainingConfigLoadsAndBuilds() throws IOException {
    Path conf = Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath().normalize().resolve("conf");
    List<Path> files;
    try (java.util.stream.Stream<Path> s = Files.list(conf)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 9, files.toString());
    int built = 0;
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        TrainConfig c = ConfigLoader.load(f.getFileName().toString(), in, List.of());
        if (c.data().train().images() != null && c.data().train().images().contains("fashion-mnist")) {
          assertTrue(org.sparktrain.driver.TrainingRun.buildNetwork(c, new int[] {28, 28}).numParams() > 0, f.toString());
          built++;
        }
      } catch (RuntimeException e) {
        throw new AssertionError(f.getFileName() + ": " + e.getMessage(), e);
      }
    }
    assertTrue(built >= 6, built + " Fashion-MNIST configs built");
  }

  @Test
  void frequencyIsAnIntegerOrAuto() {
    TrainConfig c = load(PATHS, "averaging.frequency=auto");
    assertTrue(c.averaging().auto());
    assertEquals(10, c.averaging().k(), "auto starts at 10 within bounds");
    assertEquals(5, load(PATHS, "averaging.frequency=auto", "averaging.max_frequency=5").averaging().k());
    ConfigException e = fails(PATHS, "averaging.frequency=sometimes");
    assertEquals("averaging.frequency", e.key());
    assertTrue(e.getMessage().contains("'sometimes'") && e.getMessage().contains("'auto'"), e.getMessage());
    assertEquals("averaging.frequency", fails(PATHS, "averaging.frequency=2.5").key());
    assertEquals("averaging.max_frequency", fails(PATHS, "averaging.min_frequency=8",
        "averaging.max_frequency=4").key());
    assertEquals("averaging.target_sync_fraction", fails(PATHS, "averaging.target_sync_fraction=1.5").key());
    assertEquals("engine", fails(PATHS, "engine=horovod").key());
  }

  @Test
  void overlapIsOffByDefaultAndItsGainIsAShare() {
    TrainConfig c = load(PATHS);
    assertEquals(false, c.averaging().overlap());
    assertEquals(0.5, c.averaging().overlapGain());
    TrainConfig on = load(PATHS, "averaging.overlap=true", "averaging.overlap_gain=0.25");
    assertTrue(on.averaging().overlap());
    assertEquals(0.25, on.averaging().overlapGain());
    ConfigException e = fails(PATHS, "averaging.overlap_gain=1.5");
    assertEquals("averaging.overlap_gain", e.key());
    assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
    assertEquals("averaging.overlap_gain", fails(PATHS, "averaging.overlap_gain=0").key());
  }

  @Test
  void roundsAreStreamedByDefaultAndOverlapImpliesOneJobPerRound() {
    TrainConfig c = load(PATHS);
    assertEquals("stream", c.averaging().transport());
    assertTrue(org.sparktrain.driver.engine.SparkTrainEngine.settings(c).stream());
    assertEquals("jobs", load(PATHS, "averaging.transport=jobs").averaging().transport());
    TrainConfig overlapped = load(PATHS, "averaging.overlap=true");
    assertTrue(overlapped.averaging().overlap());
    assertEquals(false, org.sparktrain.driver.engine.SparkTrainEngine.settings(overlapped).stream());
    ConfigException e = fails(PATHS, "averaging.transport=rpc");
    assertEquals("averaging.transport", e.key());
    assertEquals("config key 'averaging.transport': 'rpc' is not allowed; allowed: [stream, jobs]", e.getMessage());
  }

  @Test
  void defaultsFileAndOverridesLayer() {
    TrainConfig c = load(PATHS + "training: {epochs: 3}\n", "training.batch_size=32", "averaging.updater_state=false",
        "optimizer.learning_rate=0.01");
    assertEquals(3, c.training().epochs());
    assertEquals(32, c.training().batchSize());
    assertFalse(c.averaging().updaterState());
    assertEquals(0.01, c.optimizer().learningRate());
    assertEquals(10, c.averaging().frequency());
    assertEquals(42, c.seed());
  }

  @Test
  void listOverrideReplacesLayers() {
    TrainConfig c = load(PATHS, "model.layers=[{type: dense, units: 7}, {type: output}]");
    assertEquals(2, c.model().layers().size());
    assertEquals(7, c.model().layers().get(0).units());
  }

  @Test
  void resolvedConfigRoundTrips() {
    TrainConfig c = load(PATHS, "seed=7");
    String yaml = ConfigLoader.toYaml(c);
    assertEquals(c, load(yaml));
    assertTrue(yaml.contains("batch_size: 64"), yaml);
  }

  @Test
  void unknownKeyInFileIsNamed() {
    ConfigException e = fails(PATHS + "training: {epoch: 3}\n");
    assertEquals("training.epoch", e.key());
    assertTrue(e.getMessage().contains("unknown key") && e.getMessage().contains("epochs"), e.getMessage());
  }

  @Test
  void unknownKeyInLayerIsNamed() {
    ConfigException e = fails(PATHS, "model.layers=[{type: dense, unit: 7}, {type: output}]");
    assertEquals("model.layers[0].unit", e.key());
  }

  @Test
  void unknownOverrideIsNamed() {
    ConfigException e = fails(PATHS, "training.epohcs=2");
    assertEquals("training.epohcs", e.key());
    assertTrue(e.getMessage().contains("allowed here: [batch_size, class_weights, epochs]"), e.getMessage());
    assertEquals("nosuch", fails(PATHS, "nosuch.key=1").key());
  }

  @Test
  void wrongTypesAreNamed() {
    ConfigException e = fails(PATHS, "training.epochs=abc");
    assertEquals("training.epochs", e.key());
    assertTrue(e.getMessage().contains("'abc'") && e.getMessage().contains("integer"), e.getMessage());
    assertEquals("training.batch_size", fails(PATHS, "training.batch_size=1.5").key());
    assertEquals("averaging.updater_state", fails(PATHS, "averaging.updater_state=maybe").key());
    assertEquals("training", fails(PATHS, "training=5").key());
  }

  @Test
  void outOfRangeValuesAreNamed() {
    ConfigException e = fails(PATHS, "training.batch_size=-4");
    assertEquals("training.batch_size", e.key());
    assertTrue(e.getMessage().contains("-4") && e.getMessage().contains("allowed: 1 to"), e.getMessage());
    assertEquals("training.epochs", fails(PATHS, "training.epochs=0").key());
    assertEquals("optimizer.learning_rate", fails(PATHS, "optimizer.learning_rate=0").key());
    assertEquals("averaging.frequency", fails(PATHS, "averaging.frequency=0").key());
    assertEquals("data.num_classes", fails(PATHS, "data.num_classes=1").key());
    assertEquals("optimizer.type", fails(PATHS, "optimizer.type=lbfgs").key());
    assertEquals("model.layers[1].type", fails(PATHS, "model.layers=[{type: dense, units: 3}, {type: pool}]").key());
    assertEquals("model.layers[0].units", fails(PATHS, "model.layers=[{type: dense, units: 0}, {type: output}]").key());
  }

  @Test
  void missingDataPathIsNamed() {
    ConfigException e = fails("model: {layers: [{type: output}]}\n");
    assertEquals("data.train.images", e.key());
    assertTrue(e.getMessage().contains("required"));
  }

  @Test
  void malformedInputIsRejected() {
    ConfigException e = fails("data: [unclosed\n");
    assertTrue(e.getMessage().startsWith("test.yaml: is not valid YAML"), e.getMessage());
    e = fails("- just\n- a list\n");
    assertTrue(e.getMessage().contains("must be a YAML mapping"), e.getMessage());
    e = fails(PATHS, "no-equals-sign");
    assertTrue(e.getMessage().contains("expected key=value"), e.getMessage());
    e = fails(PATHS + "seed: 1\nseed: 2\n");
    assertTrue(e.getMessage().contains("seed"), e.getMessage());
  }
}
