package org.sparktrain.driver.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.output.BuildInfo;
import org.sparktrain.kernels.data.CorruptDataException;

/**
 * One self-contained HTML report (no network at view time: Apache ECharts, from its Maven webjar,
 * is inlined) of one or more training runs ({@code metrics.json}, {@code evaluation.json},
 * {@code config.yaml}, {@code provenance.json} of each run directory) or of a {@code bench.json}.
 * The page checks itself after drawing (every chart holds data and drew pixels, no script error)
 * and records the verdict on {@code <body>} for headless-browser tests.
 */
public final class HtmlReport {
  static final String ECHARTS_VERSION = "5.3.1";
  private static final String ECHARTS = "/META-INF/resources/webjars/echarts/" + ECHARTS_VERSION + "/dist/echarts.min.js";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Rounds drawn per run at most: longer runs are thinned evenly (first and last kept). */
  static final int MAX_ROUNDS = 4000;

  private HtmlReport() {}

  /** A run directory's artefacts as the report reads them. */
  public record Run(String name, JsonNode metrics, JsonNode evaluation, String config, JsonNode provenance) {}

  /**
   * Reads a run directory (any Hadoop path); {@code metrics.json} is required, the others optional.
   *
   * @throws CorruptDataException naming the file when one is missing or not JSON
   */
  public static Run readRun(String dir, Configuration hadoop) {
    JsonNode metrics = json(dir, "metrics.json", hadoop, true);
    if (!metrics.isObject() || !metrics.has("rounds") || !metrics.has("test_accuracy")) {
      throw new CorruptDataException(new Path(dir, "metrics.json").toString(), "is not a sparktrain metrics.json "
          + "(no rounds / test_accuracy): pass a run's output directory");
    }
    String name = new Path(dir).getName();
    String config = text(dir, "config.yaml", hadoop);
    return new Run(name, metrics, json(dir, "evaluation.json", hadoop, false), config,
        json(dir, "provenance.json", hadoop, false));
  }

  /** Reads a bench output directory's {@code bench.json} (or the file itself). */
  public static JsonNode readBench(String path, Configuration hadoop) {
    String dir = path.endsWith(".json") ? new Path(path).getParent().toString() : path;
    String file = path.endsWith(".json") ? new Path(path).getName() : "bench.json";
    JsonNode b = json(dir, file, hadoop, true);
    if (!b.has("medians") || !b.has("runs")) {
      throw new CorruptDataException(new Path(dir, file).toString(), "is not a sparktrain bench.json (no medians / runs)");
    }
    return b;
  }

  /** Whether {@code dir} holds a bench.json rather than a run. */
  public static boolean isBench(String dir, Configuration hadoop) {
    try {
      Path p = new Path(dir, "bench.json");
      return dir.endsWith("bench.json") || p.getFileSystem(hadoop).exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  /** The report of {@code runs} (the first is the reference of a comparison). */
  public static String runs(List<Run> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no run to report");
    }
    ObjectNode data = JSON.createObjectNode();
    data.put("kind", "runs");
    ArrayNode arr = data.putArray("runs");
    for (Run r : runs) {
      ObjectNode o = arr.addObject();
      o.put("name", r.name());
      o.set("metrics", thinned(r.metrics()));
      o.set("evaluation", r.evaluation());
      o.put("config", r.config());
      o.set("provenance", r.provenance());
    }
    Run first = runs.get(0);
    String title = runs.size() == 1 ? "sparktrain run " + first.metrics().path("run_id").asText(first.name())
        : "sparktrain: " + runs.size() + " runs compared";
    String sub = runs.stream().map(r -> r.name() + " (" + r.metrics().path("engine").asText("?") + ", test accuracy "
        + String.format(java.util.Locale.ROOT, "%.4f", r.metrics().path("test_accuracy").asDouble(Double.NaN)) + ")")
        .reduce((a, b) -> a + " vs " + b).orElse("");
    return page(title, sub, data);
  }

  /** The report of a bench.json. */
  public static String bench(JsonNode bench, String name) {
    ObjectNode data = JSON.createObjectNode();
    data.put("kind", "bench");
    data.set("bench", bench);
    return page("sparktrain bench: " + name, bench.path("config").asText("") + ", created "
        + bench.path("created_utc").asText(""), data);
  }

  /**
   * Writes {@code html} to {@code file} through a temporary file and a rename, refusing to replace
   * an existing file unless {@code overwrite}.
   */
  public static void write(String html, String file, boolean overwrite, Configuration hadoop) {
    org.sparktrain.driver.output.AtomicFile.writeText(file, html, overwrite, hadoop);
  }

  private static String page(String title, String subtitle, ObjectNode data) {
    String json;
    try {
      json = JSON.writeValueAsString(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // inside <script>: no "</" may end the element early
    json = json.replace("</", "<\\/").replace("<!--", "<\\!--");
    return resource("report.html")
        .replace("{{CSS}}", resource("report.css"))
        .replace("{{TITLE}}", escape(title))
        .replace("{{SUBTITLE}}", escape(subtitle))
        .replace("{{VERSION}}", escape(BuildInfo.get("sparktrain.version")))
        .replace("{{CREATED}}", Instant.now().toString())
        .replace("{{ECHARTS_VERSION}}", ECHARTS_VERSION)
        .replace("{{SCRIPT}}", resource("report.js"))
        .replace("{{DATA}}", json)
        .replace("{{ECHARTS}}", read(ECHARTS));
  }

  /** A copy of metrics.json with at most {@link #MAX_ROUNDS} rounds. */
  static JsonNode thinned(JsonNode metrics) {
    JsonNode rounds = metrics.get("rounds");
    if (rounds == null || rounds.size() <= MAX_ROUNDS) {
      return metrics;
    }
    ObjectNode copy = metrics.deepCopy();
    ArrayNode kept = copy.putArray("rounds");
    int n = rounds.size();
    for (int i = 0; i < MAX_ROUNDS; i++) {
      kept.add(rounds.get((int) Math.round((double) i * (n - 1) / (MAX_ROUNDS - 1))));
    }
    copy.put("rounds_thinned_from", n);
    return copy;
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String resource(String name) {
    return read("/org/sparktrain/driver/report/" + name);
  }

  private static String read(String classpath) {
    try (InputStream in = HtmlReport.class.getResourceAsStream(classpath)) {
      if (in == null) {
        throw new IllegalStateException(classpath + " is not on the classpath (a broken build)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode json(String dir, String file, Configuration hadoop, boolean required) {
    Path p = new Path(dir, file);
    try (InputStream in = p.getFileSystem(hadoop).open(p)) {
      return JSON.readTree(in);
    } catch (FileNotFoundException e) {
      if (required) {
        throw new CorruptDataException(p.toString(), "does not exist: pass a directory sparktrain wrote");
      }
      return null;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CorruptDataException(p.toString(), "is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  private static String text(String dir, String file, Configuration hadoop) {
    Path p = new Path(dir, file);
    try (InputStream in = p.getFileSystem(hadoop).open(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }
}
