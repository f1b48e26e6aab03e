package org.sparktrain.driver.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.config.Choices;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.LabelKind;

/**
 * A split read by Spark SQL: Parquet, CSV, ORC or JSON files on any Hadoop path, or a catalog
 * table. The training split fits the {@link FeatureSpec} on Spark (null counts, vocabularies and
 * feature statistics in aggregations, no rows collected); the test split applies the training
 * split's. Rows become float examples in balanced contiguous partitions ({@code zipWithIndex}),
 * so the data order, and with it training, is deterministic for the same input files.
 * {@code data.test.fraction} holds out a seeded hash share of the training rows instead of a test
 * path or table.
 */
public final class TableSource implements DataSource {
  private static final Logger LOG = LoggerFactory.getLogger(TableSource.class);
  /** The hidden row-id column of a held-out split. */
  private static final String ROW_ID = "__sparktrain_row";

  private final String split;
  private final TrainConfig.Data data;
  private final SparkSession spark;
  private final long seed;
  private final int limit;
  private final FeatureSpec trained;
  private FeatureSpec spec;
  private Dataset<Row> rows;
  private long count;
  private DataFile file;

  /**
   * @param split {@code train} or {@code test}
   * @param trained the training split's spec (the test split), or null (the training split fits one)
   */
  public TableSource(String split, TrainConfig.Data data, SparkSession spark, long seed, int limit, FeatureSpec trained) {
    if (spark == null) {
      throw new ConfigException("data.format", "'" + data.format() + "' is read by Spark SQL: it needs a Spark "
          + "context (every engine gets one from bin/sparktrain train)");
    }
    this.split = split;
    this.data = data;
    this.spark = spark;
    this.seed = seed;
    this.limit = limit;
    this.trained = trained;
  }

  /** The fitted (training) or applied (test) feature spec; after {@link #validate()}. */
  public FeatureSpec spec() {
    return spec;
  }

  /** Where this split is read from, for messages: the path or the table. */
  String where() {
    TrainConfig.Split s = heldOut() ? data.train() : split.equals("train") ? data.train() : data.test();
    return table() ? "table " + s.table() : s.path();
  }

  private boolean table() {
    return data.formatChoice() == Choices.DataFormat.TABLE;
  }

  private boolean heldOut() {
    return data.test().share() > 0;
  }

  private String key() {
    String s = heldOut() ? "train" : split;
    return "data." + s + "." + (table() ? "table" : "path");
  }

  /** Reads the split's rows (lazily: Spark reads the files when a job needs them). */
  static Dataset<Row> read(SparkSession spark, TrainConfig.Data data, String at, String key) {
    return read(spark, data.formatChoice(), data.csv(), at, key);
  }

  /**
   * Reads a table or files of {@code f} at {@code at} ({@code key} names the setting in errors);
   * throws naming the path when it cannot be read.
   */
  public static Dataset<Row> read(SparkSession spark, Choices.DataFormat f, TrainConfig.Csv csv, String at, String key) {
    try {
      if (f == Choices.DataFormat.TABLE) {
        return spark.table(at);
      }
      org.apache.spark.sql.DataFrameReader r = spark.read();
      if (f == Choices.DataFormat.CSV) {
        r = r.option("header", String.valueOf(csv.header())).option("sep", csv.delimiter())
            .option("inferSchema", "true").option("mode", "FAILFAST").option("enforceSchema", "false");
      }
      return r.format(f.configName()).load(at);
    } catch (Exception e) { // AnalysisException (Scala: undeclared): a missing path or table
      throw new CorruptDataException(at, cleanMessage(e) + " (" + key + ")", e);
    }
  }

  @Override
  public DataDescription validate() {
    TrainConfig.Split s = heldOut() ? data.train() : split.equals("train") ? data.train() : data.test();
    String at = table() ? s.table() : s.path();
    Dataset<Row> df = read(spark, data, at, key());
    if (heldOut()) {
      // a seeded hash of the row's position decides train or test; the same files give the same split
      Column h = org.apache.spark.sql.functions.pmod(org.apache.spark.sql.functions.xxhash64(col(ROW_ID), lit(seed)),
          lit(1_000_000L));
      df = df.withColumn(ROW_ID, org.apache.spark.sql.functions.monotonically_increasing_id());
      Column test = h.lt(lit(Math.round(data.test().share() * 1_000_000)));
      df = df.filter(split.equals("test") ? test : org.apache.spark.sql.functions.not(test)).drop(ROW_ID);
    }
    try {
      if (data.formatChoice() == Choices.DataFormat.CSV) {
        // Spark parses only the columns a query reads, so a ragged row passes unseen unless one pass
        // reads them all (FAILFAST then names the malformed record)
        df.agg(org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.xxhash64(Arrays.stream(df.columns())
            .map(org.apache.spark.sql.functions::col).toArray(Column[]::new)))).first();
      }
      if (df.isEmpty()) {
        throw new CorruptDataException(at, "holds no rows" + (heldOut() ? " for the " + split + " split of "
            + "data.test.fraction " + data.test().share() : "") + " (" + key() + ")");
      }
      spec = trained != null ? check(df, at) : fit(df, at);
      rows = select(df, spec, at);
      if (limit > 0) {
        rows = rows.limit(limit);
      }
      count = rows.count();
    } catch (Exception e) { // Spark's exceptions are undeclared (Scala)
      throw rethrow(e, at);
    }
    if (count == 0) {
      throw new CorruptDataException(at, "holds no rows left after data.on_null: drop (" + key() + ")");
    }
    file = fingerprint(df, at);
    LOG.info("{} ({}): {} rows, {} features from {}", at, split, count, spec.width(), spec);
    return new DataDescription(new int[] {spec.width()}, LabelKind.CLASS, spec.numClasses(), count, spec.classes());
  }

  /** The columns the spec reads, with nulls handled as {@code data.on_null} says. */
  private Dataset<Row> select(Dataset<Row> df, FeatureSpec s, String at) {
    Choices.OnNull onNull = data.onNullChoice();
    Dataset<Row> d = df.select(s.inputColumns().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
    if (onNull == Choices.OnNull.DROP) {
      Column ok = lit(true);
      for (String c : s.inputColumns()) {
        ok = ok.and(present(d.schema(), c));
      }
      d = d.filter(ok);
    } else {
      // fail (and, for labels, impute_mean): count the bad values in one aggregation and name the column
      List<Column> counts = new ArrayList<>();
      List<String> checked = new ArrayList<>();
      for (FeatureSpec.Column c : s.columns()) {
        if (onNull == Choices.OnNull.FAIL || c.kind() != FeatureSpec.Kind.NUMERIC) {
          checked.add(c.name());
        }
      }
      checked.add(s.label());
      for (String c : checked) {
        counts.add(org.apache.spark.sql.functions.sum(when(present(d.schema(), c), 0).otherwise(1)));
      }
      Row r = d.agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new)).first();
      for (int i = 0; i < checked.size(); i++) {
        long bad = r.isNullAt(i) ? 0 : r.getLong(i);
        if (bad > 0) {
          throw new CorruptDataException(at, "column '" + checked.get(i) + "' has " + bad + " null or NaN values"
              + (checked.get(i).equals(s.label()) ? " (labels cannot be imputed); set data.on_null: drop"
              : "; set data.on_null: drop or impute_mean"));
        }
      }
    }
    return d;
  }

  private static Column present(StructType schema, String c) {
    DataType t = schema.apply(c).dataType();
    Column ok = col(c).isNotNull();
    if (t instanceof DoubleType || t instanceof FloatType) {
      ok = ok.and(org.apache.spark.sql.functions.not(org.apache.spark.sql.functions.isnan(col(c))));
    }
    return ok;
  }

  /** Fits the training split's spec: column kinds, vocabularies, imputation means, scaling. */
  private FeatureSpec fit(Dataset<Row> df, String at) {
    StructType schema = df.schema();
    List<String> names = Arrays.asList(schema.fieldNames());
    List<String> categorical = data.categorical() == null ? List.of() : data.categorical();
    for (String c : categorical) {
      if (!data.features().contains(c)) {
        throw new ConfigException("data.categorical", "lists '" + c + "', which data.features does not; add it there");
      }
    }
    requireColumn(names, data.label(), "data.label", at);
    boolean impute = data.onNullChoice() == Choices.OnNull.IMPUTE_MEAN;
    List<Column> means = new ArrayList<>();
    for (String c : data.features()) {
      requireColumn(names, c, "data.features", at);
      if (impute && schema.apply(c).dataType() instanceof NumericType && !categorical.contains(c)) {
        means.add(org.apache.spark.sql.functions.avg(when(present(schema, c), col(c))));
      }
    }
    Row meanRow = means.isEmpty() ? null : df.agg(means.get(0), means.subList(1, means.size()).toArray(Column[]::new))
        .first();
    List<FeatureSpec.Column> columns = new ArrayList<>();
    int m = 0;
    for (String c : data.features()) {
      DataType t = schema.apply(c).dataType();
      String sql = t.simpleString();
      if (categorical.contains(c)) {
        List<String> vocab = df.select(col(c).cast("string")).where(col(c).isNotNull()).distinct().collectAsList()
            .stream().map(r -> r.getString(0)).sorted().toList();
        columns.add(new FeatureSpec.Column(c, FeatureSpec.Kind.CATEGORICAL, vocab.size(), vocab, Double.NaN, sql));
      } else if (t instanceof NumericType) {
        double mean = Double.NaN;
        if (impute) {
          mean = meanRow.isNullAt(m) ? 0 : meanRow.getDouble(m);
          m++;
        }
        columns.add(new FeatureSpec.Column(c, FeatureSpec.Kind.NUMERIC, 1, null, mean, sql));
      } else if (t instanceof VectorUDT || t instanceof ArrayType a && a.elementType() instanceof NumericType) {
        Row first = df.select(c).where(col(c).isNotNull()).first();
        int width = t instanceof VectorUDT ? ((org.apache.spark.ml.linalg.Vector) first.get(0)).size()
            : first.getList(0).size();
        columns.add(new FeatureSpec.Column(c, t instanceof VectorUDT ? FeatureSpec.Kind.VECTOR : FeatureSpec.Kind.ARRAY,
            width, null, Double.NaN, sql));
      } else if (t instanceof StringType || t instanceof BooleanType) {
        throw new CorruptDataException(at, "column '" + c + "' is " + sql + ", not numeric (data.features); list it in "
            + "data.categorical to one-hot encode it");
      } else {
        throw new CorruptDataException(at, "column '" + c + "' has type " + sql + "; data.features takes numeric "
            + "columns or one vector / array<float> column");
      }
    }
    DataType lt = schema.apply(data.label()).dataType();
    List<String> classes;
    boolean strings;
    if (lt instanceof StringType) {
      strings = true;
      classes = df.select(col(data.label())).where(col(data.label()).isNotNull()).distinct().collectAsList().stream()
          .map(r -> r.getString(0)).sorted().toList();
      if (classes.size() != data.numClasses()) {
        throw new ConfigException("data.num_classes", "is " + data.numClasses() + ", but label column '" + data.label()
            + "' of " + at + " holds " + classes.size() + " classes " + abbreviate(classes) + "; set data.num_classes="
            + classes.size());
      }
    } else if (lt instanceof NumericType) {
      strings = false;
      classes = java.util.stream.IntStream.range(0, data.numClasses()).mapToObj(String::valueOf).toList();
    } else {
      throw new CorruptDataException(at, "label column '" + data.label() + "' has type " + lt.simpleString()
          + "; data.label takes class indices or strings");
    }
    final FeatureSpec s = new FeatureSpec(columns, data.label(), classes, strings, data.normalize(), null, null);
    if (data.normalizeChoice() != Choices.Normalize.NONE) {
      FeatureSpec.FeatureStats stats = select(df, s, at).javaRDD().treeAggregate(
          new FeatureSpec.FeatureStats(s.width()), (acc, row) -> {
            float[] x = new float[s.width()];
            s.rawFeatures(row, x, 0);
            return acc.add(x);
          }, FeatureSpec.FeatureStats::merge);
      double[][] sc = FeatureSpec.scaling(data.normalize(), stats);
      return s.withScaling(sc[0], sc[1]);
    }
    return s;
  }

  /** Checks the test split against the training spec: the same columns with compatible types. */
  private FeatureSpec check(Dataset<Row> df, String at) {
    return requireMatches(trained, df.schema(), at);
  }

  /**
   * Checks that {@code schema} has every column {@code spec} reads, with a compatible type (what a test
   * split, {@code predict} and {@code evaluate} need); returns the spec.
   */
  public static FeatureSpec requireMatches(FeatureSpec spec, StructType schema, String at) {
    List<String> names = Arrays.asList(schema.fieldNames());
    for (FeatureSpec.Column c : spec.columns()) {
      if (!names.contains(c.name())) {
        throw new CorruptDataException(at, "has no column '" + c.name() + "', which the model reads (" + c.kind()
            .name().toLowerCase(Locale.ROOT) + " " + c.sqlType() + "); columns: " + abbreviate(names));
      }
      DataType t = schema.apply(c.name()).dataType();
      boolean ok = switch (c.kind()) {
        case NUMERIC -> t instanceof NumericType;
        case VECTOR -> t instanceof VectorUDT;
        case ARRAY -> t instanceof ArrayType a && a.elementType() instanceof NumericType;
        case CATEGORICAL -> true;
      };
      if (!ok) {
        throw new CorruptDataException(at, "column '" + c.name() + "' is " + t.simpleString() + ", but the model was "
            + "trained on " + c.sqlType() + " (the schema changed since training)");
      }
    }
    return spec;
  }

  private static void requireColumn(List<String> names, String c, String key, String at) {
    if (!names.contains(c)) {
      throw new CorruptDataException(at, "has no column '" + c + "' (" + key + "); columns: " + abbreviate(names));
    }
  }

  static String abbreviate(List<String> l) {
    return l.size() <= 12 ? l.toString() : l.subList(0, 12) + " and " + (l.size() - 12) + " more";
  }

  @Override
  public Split load(JavaSparkContext sc, int partitions) {
    if (rows == null) {
      validate();
    }
    FeatureSpec s = spec;
    int n = Math.toIntExact(count);
    int p = sc == null ? 1 : partitions > 0 ? partitions : sc.defaultParallelism();
    List<long[]> ranges = IdxDataSource.balancedRanges(n, p);
    int[] counts = ranges.stream().mapToInt(r -> (int) (r[1] - r[0])).toArray();
    DataDescription description = new DataDescription(new int[] {s.width()}, LabelKind.CLASS, s.numClasses(), count,
        s.classes());
    try {
      if (sc == null) {
        ExampleBlock local = toBlock(0, rows.collectAsList().iterator(), n, s);
        return new Split(null, local, description, List.of(file), List.of());
      }
      long total = n;
      JavaRDD<ExampleBlock> blocks = rows.javaRDD().zipWithIndex()
          .mapToPair(t -> new scala.Tuple2<>(t._2(), t._1()))
          .repartitionAndSortWithinPartitions(new RangePartitioner(total, p))
          .mapPartitions(it -> {
            List<Row> part = new ArrayList<>();
            long first = -1;
            while (it.hasNext()) {
              scala.Tuple2<Long, Row> t = it.next();
              if (first < 0) {
                first = t._1();
              }
              part.add(t._2());
            }
            return List.of(toBlock(Math.max(0, first), part.iterator(), part.size(), s)).iterator();
          }, true)
          .setName("table:" + where());
      blocks.persist(StorageLevel.MEMORY_ONLY());
      long built = blocks.map(ExampleBlock::count).reduce(Integer::sum);
      if (built != total) {
        throw new IllegalStateException(where() + ": built " + built + " examples of " + total);
      }
      LOG.info("{}: {} examples of {} features in {} partitions of {}-{}", where(), n, s.width(), p,
          Arrays.stream(counts).min().orElse(0), Arrays.stream(counts).max().orElse(0));
      return new Split(new DistributedDataset(blocks, counts, new int[] {s.width()}, List.of(file)), null, description,
          List.of(file), List.of());
    } catch (Exception e) { // Spark's exceptions are undeclared (Scala)
      throw rethrow(e, where());
    }
  }

  /** One block of {@code n} rows, the first of which has index {@code firstId}. */
  static ExampleBlock toBlock(long firstId, Iterator<Row> rows, int n, FeatureSpec s) {
    int w = s.width();
    float[] x = new float[n * w];
    byte[] y = new byte[n];
    int i = 0;
    while (rows.hasNext()) {
      Row r = rows.next();
      try {
        s.rawFeatures(r, x, i * w);
        s.normalize(x, i * w);
        y[i] = (byte) s.label(r);
      } catch (IllegalArgumentException | ClassCastException e) {
        throw new IllegalArgumentException("row " + (firstId + i) + ": " + e.getMessage(), e);
      }
      i++;
    }
    return ExampleBlock.ofFloats(firstId, n, new int[] {w}, x, LabelKind.CLASS, y, null, 0, null);
  }

  /** Assigns row index ranges {@code [i*n/p, (i+1)*n/p)} to partition i, as the IDX source balances. */
  static final class RangePartitioner extends org.apache.spark.Partitioner {
    private static final long serialVersionUID = 1L;
    private final long n;
    private final int p;

    RangePartitioner(long n, int p) {
      this.n = n;
      this.p = p;
    }

    @Override
    public int numPartitions() {
      return p;
    }

    @Override
    public int getPartition(Object key) {
      long i = (Long) key;
      // the largest q with q*n/p <= i
      int q = (int) Math.min(p - 1, (i * p + p - 1) / n);
      while (q > 0 && (long) q * n / p > i) {
        q--;
      }
      while (q < p - 1 && (long) (q + 1) * n / p <= i) {
        q++;
      }
      return q;
    }
  }

  /** Input files' names, sizes and modification times hashed: what resume compares and provenance records. */
  private DataFile fingerprint(Dataset<Row> df, String at) {
    try {
      String[] files = df.inputFiles();
      Arrays.sort(files);
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      long bytes = 0;
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      for (String f : files) {
        Path p = new Path(f);
        FileStatus st = p.getFileSystem(conf).getFileStatus(p);
        bytes += st.getLen();
        md.update((f + "\t" + st.getLen() + "\t" + st.getModificationTime() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      String role = heldOut() ? split + "_rows" : "rows";
      return new DataFile(role, key(), at, HexFormat.of().formatHex(md.digest()), bytes, count,
          new int[] {spec.width()});
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new CorruptDataException(at, "cannot list its files: " + e.getMessage());
    }
  }

  /** A failure reading or transforming {@code at}'s rows as one line naming it (predict, evaluate). */
  public static RuntimeException asInputError(Exception e, String at) {
    return rethrow(e, at);
  }

  /** A Spark failure as one line naming the input (the root cause's message, not the stack). */
  private static RuntimeException rethrow(Exception e, String at) {
    if (e instanceof CorruptDataException || e instanceof ConfigException) {
      return (RuntimeException) e;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = cleanMessage(root);
    if (root instanceof IllegalArgumentException || root instanceof ClassCastException
        || m.contains("Malformed") || root instanceof org.apache.spark.sql.AnalysisException
        || root instanceof java.io.FileNotFoundException || m.contains("Path does not exist")) {
      return new CorruptDataException(at, m, e);
    }
    return e instanceof RuntimeException r ? r : new IllegalStateException(e);
  }

  private static String cleanMessage(Throwable t) {
    String m = String.valueOf(t.getMessage());
    int nl = m.indexOf('\n');
    m = nl > 0 ? m.substring(0, nl) : m;
    return m.replaceAll("^\\[[A-Z_.]+\\] ", "").trim();
  }

  /** For tests: the schema's field names. */
  static List<String> fields(StructType t) {
    return Arrays.stream(t.fields()).map(StructField::name).toList();
  }
}
