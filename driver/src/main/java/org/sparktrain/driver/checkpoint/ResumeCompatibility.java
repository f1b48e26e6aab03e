package org.sparktrain.driver.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.ConfigKey;
import org.sparktrain.driver.config.ConfigKeys;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;

/**
 * Whether a run may continue from a checkpoint written under another config: only keys that do not
 * change what the remaining rounds compute may differ (where outputs and checkpoints go, time-outs,
 * the device, the test split, the number of epochs, to train a finished schedule further, and
 * {@code data.partitions}, whose effect, the examples per partition, is compared separately).
 * Everything else (model, optimiser, data, batch size, averaging, augmentation, seed, engine) must
 * match, or the resumed run would not be the run that was interrupted.
 */
public final class ResumeCompatibility {
  /** Keys that may differ between the checkpoint and this run (declared in {@link ConfigKeys}). */
  public static final List<String> MAY_DIFFER = ConfigKeys.ALL.stream().filter(ConfigKey::mayDifferOnResume)
      .map(ConfigKey::name).toList();

  private ResumeCompatibility() {}

  /** Each key whose value differs and may not, as "key: checkpoint X, now Y". */
  public static List<String> differences(String checkpointYaml, TrainConfig now) {
    // both sides redacted: checkpoints store their config with credentials redacted
    Map<String, String> then = flatten(parse(org.sparktrain.driver.output.Secrets.redact(checkpointYaml)));
    Map<String, String> current = flatten(parse(org.sparktrain.driver.output.Secrets.redact(ConfigLoader.toYaml(now))));
    TreeMap<String, String> keys = new TreeMap<>();
    then.keySet().forEach(k -> keys.put(k, k));
    current.keySet().forEach(k -> keys.put(k, k));
    List<String> out = new ArrayList<>();
    for (String k : keys.keySet()) {
      ConfigKey declared = ConfigKeys.owning(k);
      if (declared != null && declared.mayDifferOnResume()) {
        continue;
      }
      String a = then.get(k);
      String b = current.get(k);
      if (a == null ? b != null : !a.equals(b)) {
        out.add(k + ": checkpoint " + (a == null ? "(absent)" : a) + ", now " + (b == null ? "(absent)" : b));
      }
    }
    return out;
  }

  /** Refuses (naming the keys) when {@link #differences} is not empty. */
  public static void require(String checkpointYaml, TrainConfig now, String checkpoint) {
    List<String> diff = differences(checkpointYaml, now);
    if (!diff.isEmpty()) {
      throw new ConfigException(diff.get(0).substring(0, diff.get(0).indexOf(':')),
          "differs from the config of checkpoint " + checkpoint + ", so resuming would not continue the same run: "
              + String.join("; ", diff) + ". Restore those values, or pass --overwrite to start a new run");
    }
  }

  private static JsonNode parse(String yaml) {
    try {
      return ConfigLoader.yaml().readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("checkpoint config is not valid YAML: " + e.getOriginalMessage(), e);
    }
  }

  private static Map<String, String> flatten(JsonNode n) {
    Map<String, String> out = new TreeMap<>();
    flatten(n, "", out);
    return out;
  }

  private static void flatten(JsonNode n, String prefix, Map<String, String> out) {
    if (n.isObject()) {
      n.fields().forEachRemaining(e -> flatten(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
          out));
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        flatten(n.get(i), prefix + "[" + i + "]", out);
      }
      if (n.isEmpty()) {
        out.put(prefix, "[]");
      }
    } else {
      out.put(prefix, n.isNull() ? "null" : n.asText());
    }
  }
}
