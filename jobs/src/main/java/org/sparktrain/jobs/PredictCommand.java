package org.sparktrain.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.driver.config.Choices;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.data.DataSources;
import org.sparktrain.driver.data.TableSource;
import org.sparktrain.driver.predict.ModelFiles;
import org.sparktrain.driver.predict.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparktrain predict}: score a table with a trained model, on the executors. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Score a table (Parquet, CSV, ORC, JSON files or a catalog table) with a model trained on tabular "
        + "data; writes the kept columns, prediction and probability atomically (staging, then rename; _SUCCESS).")
final class PredictCommand implements Callable<Integer> {
  @Mixin
  ModelInputOptions in;

  @Option(names = "--output", required = true, paramLabel = "PATH", description = "Where the predictions go (a directory).")
  String output;

  @Option(names = "--format", defaultValue = "parquet", paramLabel = "F", description = "Output format: parquet or csv "
      + "(default ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--keep", split = ",", paramLabel = "COL", description = "Input columns copied to the output (ids).")
  List<String> keep = new ArrayList<>();

  @Option(names = "--batch", defaultValue = "1024", description = "Rows per inference batch (default ${DEFAULT-VALUE}).")
  int batch;

  @Override
  public Integer call() {
    if (!format.equals("parquet") && !format.equals("csv")) {
      throw new ConfigException("--format", "'" + format + "' is not allowed; allowed: parquet, csv");
    }
    if (batch < 1) {
      throw new ConfigException("--batch", batch + " is out of range; allowed: >= 1");
    }
    Configuration hadoop = new Configuration();
    Path out = new Path(output);
    org.sparktrain.driver.output.AtomicFile.requireAvailable(output, in.overwrite, hadoop);
    ModelFiles m = in.load(hadoop);
    Choices.DataFormat inFormat = Choices.parse(Choices.DataFormat.class, in.inputFormat != null ? in.inputFormat
        : m.config().data().format(), "--input-format");
    if (!inFormat.tabular()) {
      throw new ConfigException("--input-format", "'" + inFormat.configName() + "' is not a table format; allowed: parquet, "
          + "csv, orc, json, table");
    }
    try (JavaSparkContext sc = SparkContexts.create("sparktrain predict", in.master)) {
      SparkSession spark = DataSources.session(sc);
      long t0 = System.nanoTime();
      Dataset<Row> rows = TableSource.read(spark, inFormat, m.config().data().csv(), in.input, "--input");
      Dataset<Row> scored = Predictor.score(spark, m.network(), m.spec(), rows, keep, batch, in.input);
      Path staging = new Path(out.getParent() == null ? new Path(".") : out.getParent(), "." + out.getName()
          + ".staging-" + Long.toHexString(System.nanoTime()));
      try {
        scored.write().format(format).option("header", "true").save(staging.toString());
        long n = spark.read().format(format).option("header", "true").load(staging.toString()).count();
        double seconds = (System.nanoTime() - t0) / 1e9;
        // provenance next to the rows (Spark readers skip files starting with '_')
        java.util.Map<String, Object> prov = new java.util.LinkedHashMap<>();
        prov.put("model", in.model);
        prov.put("model_dir", m.dir());
        prov.put("model_sha256", m.sha256());
        prov.put("input", in.input);
        prov.put("rows", n);
        prov.put("seconds", seconds);
        prov.put("finished", java.time.Instant.now().toString());
        prov.put("code_version", org.sparktrain.driver.output.BuildInfo.get("sparktrain.version") + " ("
            + org.sparktrain.driver.output.BuildInfo.get("git.commit") + ")");
        org.sparktrain.driver.output.AtomicFile.writeText(new Path(staging, "_provenance.json").toString(),
            org.sparktrain.driver.output.Secrets.redact(new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(prov)),
            false, hadoop);
        publish(staging, out, hadoop);
        System.out.printf(Locale.ROOT, "predicted %,d rows in %.1f s (%,.0f rows/s, %d executor cores) with %s (sha256 "
            + "%s) -> %s%n", n, seconds, n / seconds, sc.defaultParallelism(), m.dir(), m.sha256().substring(0, 12), out);
      } catch (RuntimeException e) {
        delete(staging, hadoop);
        throw TableSource.asInputError(e, in.input);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        delete(staging, hadoop);
        throw new IllegalStateException(e);
      }
    }
    return ExitCodes.OK;
  }

  /** Moves the finished staging directory to {@code out}, replacing it only now (--overwrite). */
  private static void publish(Path staging, Path out, Configuration hadoop) {
    try {
      FileSystem fs = out.getFileSystem(hadoop);
      if (fs.exists(out)) {
        fs.delete(out, true);
      }
      if (!fs.rename(staging, out)) {
        throw new IOException("could not rename " + staging + " to " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path p, Configuration hadoop) {
    try {
      p.getFileSystem(hadoop).delete(p, true);
    } catch (IOException e) {
      // best effort: the staging directory is hidden and named as such
    }
  }
}
