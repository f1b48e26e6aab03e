package org.sparktrain.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;

class ResumeCompatibilityTest {
  private static final String BASE = """
      data:
        train: {images: a.gz, labels: b.gz}
        test: {images: c.gz, labels: d.gz}
      model:
        layers: [{type: dense, units: 64, activation: relu}, {type: output, activation: softmax}]
      output: {dir: /tmp/x}
      """;

  private static TrainConfig load(String... sets) {
    return ConfigLoader.load("t.yaml", new ByteArrayInputStream(BASE.getBytes(StandardCharsets.UTF_8)), List.of(sets));
  }

  @Test
  void harmlessDifferencesAreAllowed() {
    String then = ConfigLoader.toYaml(load());
    assertEquals(List.of(), ResumeCompatibility.differences(then, load("training.epochs=5", "output.dir=/tmp/y",
        "checkpoint.every_rounds=7", "guard.round_timeout_seconds=60", "data.test.images=e.gz", "device=cpu",
        "data.partitions=4")));
  }

  @Test
  void modelAndOptimiserChangesAreRefusedNamingEveryKey() {
    String then = ConfigLoader.toYaml(load());
    List<String> d = ResumeCompatibility.differences(then, load("model.layers=[{type: dense, units: 128, "
        + "activation: relu}, {type: output, activation: softmax}]", "optimizer.learning_rate=0.01", "seed=7"));
    assertEquals(List.of("model.layers[0].units: checkpoint 64, now 128",
        "optimizer.learning_rate: checkpoint 0.001, now 0.01", "seed: checkpoint 42, now 7"), d);
    ConfigException e = assertThrows(ConfigException.class,
        () -> ResumeCompatibility.require(then, load("training.batch_size=32"), "round-00000010"));
    assertTrue(e.getMessage().contains("'training.batch_size'") && e.getMessage().contains("round-00000010")
        && e.getMessage().contains("checkpoint 64, now 32") && e.getMessage().contains("--overwrite"), e.getMessage());
  }
}
