package org.sparktrain.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Config choices are enums with the YAML spellings users write; the declarations list exactly those. */
class ChoicesTest {
  private static final String PATHS = """
      data:
        train: {images: /d/train-images, labels: /d/train-labels}
        test: {images: /d/test-images, labels: /d/test-labels}
      model:
        layers: [{type: output}]
      """;

  private static TrainConfig load(String... sets) {
    return ConfigLoader.load("test.yaml", new ByteArrayInputStream(PATHS.getBytes(StandardCharsets.UTF_8)),
        List.of(sets));
  }

  @Test
  void spellingsAreWhatConfigsWrite() {
    assertEquals(List.of("sparktrain", "dl4j-spark", "single"), Choices.names(Choices.Engine.class));
    assertEquals(List.of("reduce_lr", "stop"), Choices.names(Choices.OnDivergence.class));
    assertEquals(List.of("gradual", "one_shot"), Choices.names(Choices.PruningSchedule.class));
    assertEquals(List.of("stream", "jobs"), Choices.names(Choices.Transport.class));
    assertEquals("auto, cpu, gpu", ConfigKeys.get("device").allowed(), "README's allowed column matches the enum");
    for (ConfigKey k : ConfigKeys.ALL) {
      if ("enum".equals(k.type())) {
        assertEquals(null, k.check().apply(k.defaultValue()), k.name() + ": its default is one of its choices");
      }
    }
  }

  @Test
  void typedAccessorsReadTheResolvedConfig() {
    TrainConfig c = load("engine=dl4j-spark", "averaging.transport=jobs", "guard.on_divergence=stop",
        "data.on_bad_file=skip", "device=cpu");
    assertEquals(Choices.Engine.DL4J_SPARK, c.engineChoice());
    assertEquals(Choices.Transport.JOBS, c.averaging().transportChoice());
    assertEquals(Choices.OnDivergence.STOP, c.guard().onDivergenceChoice());
    assertEquals(Choices.OnBadFile.SKIP, c.data().onBadFileChoice());
    assertEquals(Choices.Device.CPU, c.deviceChoice());
    assertEquals(Choices.DataFormat.IDX, c.data().formatChoice());
    assertEquals("dl4j-spark", c.engine(), "the resolved config keeps the spelling it was given");
    ConfigException e = assertThrows(ConfigException.class, () -> load("engine=dl4j"));
    assertEquals("engine", e.key());
    assertEquals("config key 'engine': 'dl4j' is not an engine; allowed: [sparktrain, dl4j-spark, single]",
        e.getMessage());
    ConfigException direct = assertThrows(ConfigException.class,
        () -> Choices.parse(Choices.PruningNorm.class, "l3", "pruning.norm"));
    assertEquals("config key 'pruning.norm': 'l3' is not allowed; allowed: [l2, l1]", direct.getMessage());
  }
}
