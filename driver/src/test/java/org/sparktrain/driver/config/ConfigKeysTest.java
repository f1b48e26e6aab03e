package org.sparktrain.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.checkpoint.ResumeCompatibility;

/** The one declaration of every key ({@link ConfigKeys}) agrees with defaults.yaml, validation and the README. */
class ConfigKeysTest {
  private static Map<String, JsonNode> defaults() throws Exception {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/org/sparktrain/driver/config/defaults.yaml")) {
      Map<String, JsonNode> out = new TreeMap<>();
      flatten(ConfigLoader.yaml().readTree(in), "", out);
      return out;
    }
  }

  private static void flatten(JsonNode n, String prefix, Map<String, JsonNode> out) {
    if (n.isObject()) {
      n.fields().forEachRemaining(e -> flatten(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
          out));
    } else {
      out.put(prefix, n);
    }
  }

  @Test
  void everyKeyOfDefaultsYamlIsDeclaredWithItsDefault() throws Exception {
    Map<String, JsonNode> d = defaults();
    List<String> declared = ConfigKeys.ALL.stream().map(ConfigKey::name).toList();
    assertEquals(new TreeMap<>(d).keySet().stream().toList(), declared.stream().sorted().toList(),
        "defaults.yaml and ConfigKeys name the same keys");
    for (ConfigKey k : ConfigKeys.ALL) {
      JsonNode yaml = d.get(k.name());
      Object dflt = k.defaultValue();
      String expected = dflt == null ? "null" : dflt instanceof List<?> l && l.isEmpty() ? "[]" : String.valueOf(dflt);
      String actual = yaml.isNull() ? "null" : yaml.isArray() && yaml.isEmpty() ? "[]" : yaml.asText();
      if (dflt instanceof List<?> l && !l.isEmpty()) {
        assertEquals(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(dflt), yaml, k.name());
      } else if (dflt instanceof Number n) {
        assertEquals(n.doubleValue(), yaml.asDouble(), 1e-12, k.name());
      } else {
        assertEquals(expected, actual, k.name() + ": declared default vs defaults.yaml");
      }
    }
  }

  @Test
  void everyDeclaredKeyHasAReadmeRow() throws Exception {
    Path readme = Path.of(System.getProperty("sparktrain.repo.root", "..")).resolve("README.md");
    List<String> rows = Files.readAllLines(readme).stream().filter(l -> l.startsWith("| `")).toList();
    List<String> missing = new ArrayList<>();
    for (ConfigKey k : ConfigKeys.ALL) {
      if (rows.stream().noneMatch(r -> r.substring(0, Math.max(2, r.indexOf(" | ", 2))).contains("`" + k.name() + "`"))) {
        missing.add(k.name());
      }
    }
    assertTrue(missing.isEmpty(), "README config table lacks rows for " + missing);
  }

  @Test
  void resumeRulesComeFromTheDeclarations() {
    // the keys earlier versions listed by hand (prefixes ending in '.')
    List<String> before = List.of("output.", "checkpoint.", "guard.round_timeout_seconds", "device", "training.epochs",
        "data.test.", "data.limit.test", "data.partitions", "monitoring.",
        // the nightly job's settings (registry, checks, gate) decide nothing a checkpoint holds
        "registry.", "retrain.");
    for (ConfigKey k : ConfigKeys.ALL) {
      boolean then = before.stream().anyMatch(p -> p.endsWith(".") ? k.name().startsWith(p) : k.name().equals(p))
          // newer than those lists: which training rows are held out must not change on resume
          && !k.name().equals("data.test.fraction");
      assertEquals(then, k.mayDifferOnResume(), k.name());
    }
    assertTrue(ResumeCompatibility.MAY_DIFFER.contains("training.epochs"));
    assertEquals(ConfigKeys.get("model.layers"), ConfigKeys.owning("model.layers[2].units"));
  }

  @Test
  void declaredChecksGiveTheLoadersMessages() {
    ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> ConfigLoader.load("x", null, List.of("training.batch_size=-1", "data.train.images=a",
            "data.train.labels=b", "data.test.images=c", "data.test.labels=d",
            "model.layers=[{type: output}]")));
    assertEquals("config key 'training.batch_size': -1 is out of range; allowed: 1 to 1048576", e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> ConfigLoader.load("x", null, List.of("averaging.transport=carrier-pigeon")));
    assertEquals("averaging.transport", e.key());
  }
}
