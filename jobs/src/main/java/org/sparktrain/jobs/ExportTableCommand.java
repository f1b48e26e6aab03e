package org.sparktrain.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.data.DataSources;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.driver.output.RunOutput;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.IdxFiles;
import org.sparktrain.kernels.image.ImageTree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparktrain export-table}: an IDX pair as a table (Parquet, ORC, JSON or CSV), read on the
 * executors: {@code id}, {@code pixels} (array&lt;float&gt;, pixel / 255, the values the IDX path
 * trains on) and {@code label}, so the same model trains on both.
 */
@Command(name = "export-table", mixinStandardHelpOptions = true,
    description = "Write an IDX images/labels pair (e.g. Fashion-MNIST) as a table: id, pixels (array<float>, pixel/255), "
        + "label; the layout data.format: parquet reads with data.features=[pixels], data.label=label.")
final class ExportTableCommand implements Callable<Integer> {

  @Mixin
  IdxInputOptions idx;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory to write.")
  String output;

  @Option(names = "--format", defaultValue = "parquet", description = "parquet, orc, json or csv (csv: one column per "
      + "pixel, p0..pN) (default ${DEFAULT-VALUE}).")
  String format;



  @Option(names = "--offset", defaultValue = "0", description = "Skip the first N examples (with --limit: a slice, "
      + "e.g. one night of a simulated stream); ids stay the examples' positions.")
  int offset;

  @Option(names = "--fashion-names", description = "Write Fashion-MNIST's class names (t-shirt, trouser, ...) as "
      + "string labels instead of indices.")
  boolean fashionNames;

  @Option(names = "--partitions", defaultValue = "0", description = "Files to write (0 = Spark's default parallelism).")
  int partitions;

  @Option(names = "--overwrite", description = "Write into a non-empty directory.")
  boolean overwrite;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: set by the launcher).")
  String master;

  @Override
  public Integer call() {
    if (!List.of("parquet", "orc", "json", "csv").contains(format)) {
      throw new ConfigException("--format", "'" + format + "' is not allowed; allowed: parquet, orc, json, csv");
    }
    Configuration conf = new Configuration();
    RunOutput.checkAvailable(output, overwrite, conf);
    if (offset < 0) {
      throw new ConfigException("--offset", offset + " is out of range; allowed: >= 0");
    }
    IdxDataSource.Checked c = IdxDataSource.check(idx.images, idx.labels, idx.classes,
        idx.limit > 0 ? offset + idx.limit : 0, null, conf);
    if (offset >= c.count()) {
      throw new ConfigException("--offset", offset + " is past the " + c.count() + " examples of " + idx.images);
    }
    int n = c.count() - offset;
    int first = offset;
    int width = java.util.Arrays.stream(c.shape()).reduce(1, (a, b) -> a * b);
    boolean csv = format.equals("csv");
    StructType schema = new StructType().add("id", DataTypes.LongType, false);
    if (csv) {
      for (int i = 0; i < width; i++) {
        schema = schema.add("p" + i, DataTypes.FloatType, false);
      }
    } else {
      schema = schema.add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    }
    schema = schema.add("label", fashionNames ? DataTypes.StringType : DataTypes.IntegerType, false);
    try (JavaSparkContext sc = SparkContexts.create("sparktrain export-table", master)) {
      int p = partitions > 0 ? partitions : sc.defaultParallelism();
      String im = c.images().path();
      String lb = c.labels().path();
      int k = idx.classes;
      boolean names = fashionNames;
      var hadoop = sc.broadcast(new org.sparktrain.driver.data.SerializableHadoopConf(sc.hadoopConfiguration()));
      var rows = sc.parallelize(IdxDataSource.balancedRanges(n, p), p).flatMap(range -> {
        long[] r = {range[0] + first, range[1] + first};
        ExampleBlock b = IdxFiles.readRange(im, lb, r[0], (int) (r[1] - r[0]), k, hadoop.value().get());
        List<Row> out = new ArrayList<>(b.count());
        float[] x = new float[width];
        for (int i = 0; i < b.count(); i++) {
          b.copyFeatures(i, x, 0);
          Object label = names ? ImageTree.FASHION_MNIST.get(b.label(i)) : (Object) b.label(i);
          Object[] v = new Object[csv ? width + 2 : 3];
          v[0] = r[0] + i;
          if (csv) {
            for (int j = 0; j < width; j++) {
              v[1 + j] = x[j];
            }
          } else {
            v[1] = x.clone();
          }
          v[v.length - 1] = label;
          out.add(RowFactory.create(v));
        }
        return out.iterator();
      });
      DataSources.session(sc).createDataFrame(rows, schema).write().mode("overwrite") // checkAvailable refused a non-empty directory without --overwrite
          .format(format).option("header", "true").save(output);
    }
    System.out.printf(Locale.ROOT, "wrote %,d rows (%d features%s) as %s to %s%n", n, width,
        csv ? " as columns p0..p" + (width - 1) : " in column pixels", format, output);
    return ExitCodes.OK;
  }
}
