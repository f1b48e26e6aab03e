package org.sparktrain.jobs.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.launcher.JavaModuleOptions;
import org.sparktrain.driver.spark.SparkSettings;
import scala.Tuple2;

/**
 * What every target submits, computed once: the main class, the sparktrain arguments and the Spark
 * settings (executor shape, ND4J's off-heap overhead and OpenMP threads, Java 17 module flags, the
 * JavaCPP cache, GPU resources, sparktrain's plugins and Kryo, and security on). Each target adds
 * only what is its own (where the discovery script lives, how the driver gets its environment).
 */
final class SubmitSpec {
  static final String MAIN_CLASS = "org.sparktrain.jobs.Main";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Strings that look like numbers or booleans stay strings (Kubernetes and Dataproc type-check them). */
  private static final ObjectMapper YAML = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()
      .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,{}-]+");

  private final DeployConfig c;

  SubmitSpec(DeployConfig c) {
    this.c = c;
  }

  DeployConfig config() {
    return c;
  }

  /** Where the platform keeps things. */
  record Platform(String javacppCache, String gpuDiscoveryScript, String driverEnvPrefix) {}

  /** The sparktrain arguments: the command, its config, {@code --succeed-on}, the user's own. */
  List<String> appArgs(String configUri, List<String> extra) {
    List<String> a = new ArrayList<>(List.of(c.job().command(), "--config", configUri));
    if (!c.job().succeedOn().isEmpty()) {
      a.add("--succeed-on");
      a.add(String.join(",", c.job().succeedOn()));
    }
    a.addAll(extra);
    a.addAll(c.job().args());
    return a;
  }

  /** The Spark settings for a platform, in a stable order (user's {@code spark.conf} last, winning). */
  Map<String, String> conf(Platform p) {
    DeployConfig.Spark s = c.spark();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spark.executor.instances", String.valueOf(s.executors()));
    m.put("spark.executor.cores", String.valueOf(s.executorCores()));
    m.put("spark.executor.memory", s.executorMemory());
    m.put("spark.executor.memoryOverhead", s.memoryOverhead());
    m.put("spark.driver.memory", s.driverMemory());
    m.put("spark.dynamicAllocation.enabled", "false");
    m.put("spark.executorEnv.OMP_NUM_THREADS", String.valueOf(s.executorCores()));
    if (p.driverEnvPrefix() != null) {
      m.put(p.driverEnvPrefix() + "OMP_NUM_THREADS", "1");
    }
    String jvm = JavaModuleOptions.defaultModuleOptions() + " -Dorg.bytedeco.javacpp.cachedir=" + p.javacppCache();
    m.put("spark.driver.extraJavaOptions", jvm);
    m.put("spark.executor.extraJavaOptions", jvm);
    if (s.gpusPerExecutor() > 0) {
      m.put("spark.executor.resource.gpu.amount", String.valueOf(s.gpusPerExecutor()));
      m.put("spark.task.resource.gpu.amount", String.valueOf(s.gpusPerExecutor()));
      if (p.gpuDiscoveryScript() != null) {
        m.put("spark.executor.resource.gpu.discoveryScript", p.gpuDiscoveryScript());
      }
    }
    m.put("spark.authenticate", "true");
    m.put("spark.network.crypto.enabled", "true");
    m.put("spark.io.encryption.enabled", "true");
    for (Tuple2<String, String> t : SparkSettings.withDefaults(new SparkConf(false)).getAll()) {
      m.putIfAbsent(t._1(), t._2());
    }
    m.putAll(new java.util.TreeMap<>(s.conf()));
    return m;
  }

  /** {@code --conf k=v} pairs, for spark-submit command lines. */
  static List<String> confArgs(Map<String, String> conf) {
    List<String> a = new ArrayList<>();
    conf.forEach((k, v) -> {
      a.add("--conf");
      a.add(k + "=" + v);
    });
    return a;
  }

  static String json(Object tree) {
    try {
      return JSON.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String yaml(Object tree) {
    try {
      return YAML.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A POSIX shell word; {@link #expanded} words are left for the shell to expand. */
  static String sh(String s) {
    if (s.startsWith(EXPANDED)) {
      return "\"" + s.substring(EXPANDED.length()) + "\"";
    }
    return SAFE.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  /** Marks a word the shell expands; NUL cannot occur in a real argument. */
  private static final String EXPANDED = "\u0000";

  /** A word the shell expands when the script runs ({@code ${VAR:-default}}), written double-quoted. */
  static String expanded(String s) {
    return EXPANDED + s;
  }

  /** One shell command over continuation lines, {@code "$@"} appended (so validation can add endpoint flags). */
  static String shCommand(List<String> words) {
    return shCommand(words, List.of());
  }

  /** {@link #shCommand(List)} with {@code trailing} words after {@code "$@"} (e.g. {@code --} and a job's arguments). */
  static String shCommand(List<String> words, List<String> trailing) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      boolean flag = w.startsWith("--") && i > 0;
      b.append(flag ? " \\\n  " : i == 0 ? "" : " ").append(sh(w));
    }
    b.append(" \\\n  \"$@\"");
    if (!trailing.isEmpty()) {
      b.append(" \\\n ");
      trailing.forEach(w -> b.append(' ').append(sh(w)));
    }
    return b.append('\n').toString();
  }

  /** An ordered map from key/value pairs. */
  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        m.put((String) kv[i], kv[i + 1]);
      }
    }
    return m;
  }

  /** The bucket of an object-store URI ({@code s3://b/p} -> {@code b}). */
  static String bucket(String uri) {
    String rest = uri.substring(uri.indexOf("://") + 3);
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  /** The key prefix of an object-store URI without a trailing slash ({@code s3://b/p/} -> {@code p}). */
  static String key(String uri) {
    String rest = uri.substring(uri.indexOf("://") + 3);
    int slash = rest.indexOf('/');
    String k = slash < 0 ? "" : rest.substring(slash + 1);
    return k.endsWith("/") ? k.substring(0, k.length() - 1) : k;
  }

  /** The parent "directory" of an object URI. */
  static String parent(String uri) {
    return uri.substring(0, uri.lastIndexOf('/'));
  }

  /** Header for rendered text files: where they came from. */
  static String provenance(String comment, DeployConfig c, String configFile) {
    return comment + " Rendered by 'sparktrain deploy render' from " + configFile + " (job " + c.name()
        + "); edit the deploy config and render again rather than this file.\n";
  }
}
