package org.sparktrain.driver.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Resolves a {@link TrainConfig} from three layers: built-in defaults &lt; a YAML file &lt;
 * {@code --set key=value} overrides. Unknown keys, wrong types and out-of-range values are rejected
 * with the key named.
 */
public final class ConfigLoader {
  private static final String DEFAULTS = "/org/sparktrain/driver/config/defaults.yaml";

  private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private ConfigLoader() {}

  /** The shared YAML mapper (also used to write the resolved config). */
  public static ObjectMapper yaml() {
    return YAML;
  }

  /**
   * Resolves and validates a config.
   *
   * @param fileName name of the YAML source, for messages
   * @param file the YAML text source, or null for defaults only
   * @param overrides {@code key=value} strings; values are parsed as YAML (numbers, booleans, lists)
   */
  public static TrainConfig load(String fileName, InputStream file, List<String> overrides) {
    ObjectNode tree = defaults();
    if (file != null) {
      ObjectNode user = readYaml(fileName, file, " (data:, model:, training:, ...)");
      if (user != null) {
        merge(tree, user, "");
      }
    }
    for (String o : overrides) {
      applyOverride(tree, o);
    }
    return bind(tree, fileName).validate();
  }

  /** Renders a resolved config as YAML. */
  public static String toYaml(TrainConfig config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render config as YAML", e);
    }
  }

  private static ObjectNode defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read built-in " + DEFAULTS, e);
    }
  }

  private static void merge(ObjectNode base, ObjectNode over, String prefix) {
    Iterator<Map.Entry<String, JsonNode>> it = over.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode existing = base.get(e.getKey());
      if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode vo) {
        merge(eo, vo, prefix + e.getKey() + ".");
      } else {
        base.set(e.getKey(), e.getValue());
      }
    }
  }

  static void applyOverride(ObjectNode tree, String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--set " + assignment, "expected key=value, e.g. --set training.epochs=2", null);
    }
    String key = assignment.substring(0, eq).trim();
    String raw = assignment.substring(eq + 1);
    JsonNode value;
    try {
      value = raw.isEmpty() ? JsonNodeFactory.instance.nullNode() : YAML.readTree(raw);
    } catch (JsonProcessingException e) {
      throw new ConfigException(key, "value '" + raw + "' is not valid YAML: " + e.getOriginalMessage());
    }
    if (value == null || value.isMissingNode()) {
      value = JsonNodeFactory.instance.nullNode();
    }
    String[] parts = key.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null) {
        throw unknown(String.join(".", java.util.Arrays.copyOf(parts, i + 1)), node);
      }
      if (!(child instanceof ObjectNode co)) {
        throw new ConfigException(key, "'" + String.join(".", java.util.Arrays.copyOf(parts, i + 1))
            + "' is a value, not a section");
      }
      node = co;
    }
    String leaf = parts[parts.length - 1];
    if (!node.has(leaf)) {
      throw unknown(key, node);
    }
    if (node.get(leaf) instanceof ObjectNode existing && value instanceof ObjectNode vo) {
      merge(existing, vo, key + ".");
    } else {
      node.set(leaf, value);
    }
  }

  private static ConfigException unknown(String key, ObjectNode parent) {
    List<String> known = iterable(parent.fieldNames());
    return new ConfigException(key, "unknown key; allowed here: " + known);
  }

  private static TrainConfig bind(ObjectNode tree, String fileName) {
    return bind(tree, TrainConfig.class, fileName);
  }

  /**
   * Binds a YAML tree to {@code type} with the loader's strict rules (unknown keys, wrong types and
   * nulls for primitives are errors) and translates Jackson's failures into a {@link ConfigException}
   * naming the dotted key and what is allowed there. Shared by every config sparktrain reads.
   */
  public static <T> T bind(JsonNode tree, Class<T> type, String fileName) {
    try {
      return YAML.treeToValue(tree, type);
    } catch (UnrecognizedPropertyException e) {
      String key = path(e);
      List<String> known = e.getKnownPropertyIds() == null ? List.of()
          : e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.toList());
      throw new ConfigException(key, "unknown key; allowed here: " + known);
    } catch (InvalidFormatException e) {
      throw new ConfigException(path(e), "value '" + e.getValue() + "' is not " + typeName(e.getTargetType()));
    } catch (MismatchedInputException e) {
      String key = path(e);
      JsonNode bad = at(tree, e);
      String shown = bad == null ? "" : "value " + (bad.isTextual() ? "'" + bad.asText() + "'" : bad.toString()) + " ";
      throw new ConfigException(key, shown + "is not " + typeName(e.getTargetType()));
    } catch (JsonMappingException e) {
      throw new ConfigException(path(e), e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException(fileName, e.getOriginalMessage(), e);
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(fileName, e.getMessage(), e);
    }
  }

  /**
   * Reads a YAML config file's tree: null for an empty file; a {@link ConfigException} naming the
   * file when it is not YAML or not a mapping ({@code expected} hints at its top-level keys).
   */
  public static ObjectNode readYaml(String fileName, InputStream in, String expected) {
    JsonNode tree;
    try {
      tree = YAML.readTree(in);
    } catch (JsonProcessingException e) {
      throw new ConfigException(fileName, "is not valid YAML: " + oneLine(e.getOriginalMessage()) + location(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config " + fileName + ": " + e.getMessage(), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return null;
    }
    if (!tree.isObject()) {
      throw new ConfigException(fileName, "must be a YAML mapping of keys" + expected + ", found "
          + tree.getNodeType().name().toLowerCase(), null);
    }
    return (ObjectNode) tree;
  }

  private static String typeName(Class<?> t) {
    if (t == null) {
      return "of the expected type";
    }
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return "an integer";
    }
    if (t == double.class || t == Double.class || t == float.class) {
      return "a number";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "true or false";
    }
    if (t == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(t)) {
      return "a list";
    }
    return "a mapping (section)";
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(top level)" : sb.toString();
  }

  private static JsonNode at(JsonNode tree, JsonMappingException e) {
    JsonNode n = tree;
    for (JsonMappingException.Reference r : e.getPath()) {
      if (n == null) {
        return null;
      }
      n = r.getFieldName() != null ? n.get(r.getFieldName()) : n instanceof ArrayNode a ? a.get(r.getIndex()) : null;
    }
    return n;
  }

  /** Jackson's parser messages quote the offending text over several lines; errors are one line. */
  private static String oneLine(String m) {
    return m == null ? "" : m.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr() + ")";
  }

  private static List<String> iterable(Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    java.util.Collections.sort(out);
    return out;
  }
}
