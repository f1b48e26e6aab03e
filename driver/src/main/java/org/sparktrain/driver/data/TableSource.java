package org.sparktrain.driver.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.Serializable;
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
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
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

  private final String split;
  private final TrainConfig.Data data;
  private final SparkSession spark;
  private final long seed;
  private final int limit;
  private final FeatureSpec trained;
  private final Dataset<Row> frame;
  private FeatureSpec spec;
  private Dataset<Row> rows;
  private long count;
  private DataFile file;
  private double decodeSeconds = Double.NaN;

  /**
   * @param split {@code train} or {@code test}
   * @param trained the training split's spec (the test split), or null (the training split fits one)
   */
  public TableSource(String split, TrainConfig.Data data, SparkSession spark, long seed, int limit, FeatureSpec trained) {
    this(split, data, spark, null, seed, limit, trained);
  }

  /**
   * A split of rows already in a DataFrame ({@code SparkTrainer.fit}): the data settings' paths and
   * tables are not read.
   */
  public static TableSource of(Dataset<Row> frame, TrainConfig.Data data, long seed, FeatureSpec trained) {
    return new TableSource("train", data, frame.sparkSession(), frame, seed, 0, trained);
  }

  private TableSource(String split, TrainConfig.Data data, SparkSession spark, Dataset<Row> frame, long seed, int limit,
                      FeatureSpec trained) {
    if (spark == null) {
      throw new ConfigException("data.format", "'" + data.format() + "' is read by Spark SQL: it needs a Spark "
          + "context (every engine gets one from bin/sparktrain train)");
    }
    this.split = split;
    this.data = data;
    this.spark = spark;
    this.frame = frame;
    this.seed = seed;
    this.limit = limit;
    this.trained = trained;
  }

  /** Seconds the last {@link #load} spent reading and decoding rows (before ordering them), NaN before. */
  public double decodeSeconds() {
    return decodeSeconds;
  }

  /** The fitted (training) or applied (test) feature spec; after {@link #validate()}. */
  public FeatureSpec spec() {
    return spec;
  }

  /** Where this split is read from, for messages: the path or the table. */
  String where() {
    if (frame != null) {
      return "the DataFrame";
    }
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
    String at = frame != null ? "the DataFrame" : table() ? s.table() : s.path();
    Dataset<Row> df = frame != null ? frame : read(spark, data, at, key());
    if (heldOut() && frame == null) {
      // a seeded hash of the row's content decides train or test: the same rows give the same split,
      // whatever the files' order or Spark's partitioning
      Column h = org.apache.spark.sql.functions.pmod(org.apache.spark.sql.functions.xxhash64(
          java.util.stream.Stream.concat(Arrays.stream(df.columns()).map(org.apache.spark.sql.functions::col),
              java.util.stream.Stream.of(lit(seed))).toArray(Column[]::new)), lit(1_000_000L));
      Column test = h.lt(lit(Math.round(data.test().share() * 1_000_000)));
      df = df.filter(split.equals("test") ? test : org.apache.spark.sql.functions.not(test));
    }
    try {
      if (frame == null && data.formatChoice() == Choices.DataFormat.CSV) {
        // Spark parses only the columns a query reads, so a ragged row passes unseen unless one pass
        // reads them all (FAILFAST then names the malformed record)
        df.agg(org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.xxhash64(Arrays.stream(df.columns())
            .map(org.apache.spark.sql.functions::col).toArray(Column[]::new)))).first();
      }
      if (df.isEmpty()) {
        throw new CorruptDataException(at, "holds no rows" + (heldOut() ? " for the " + split + " split of "
            + "data.test.fraction " + data.test().share() : "") + " (" + key() + ")");
      }
      spec = trained != null ? requireMatches(trained, df.schema(), at) : fit(df, at);
      rows = select(df, spec, at);
      long all = rows.count();
      count = limit > 0 ? Math.min(limit, all) : all; // the first rows in file order: load drops the rest
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
      Dataset<Row> selected = select(df, s, at);
      RowDecoder decoder = new RowDecoder(s, selected.schema()); // s has no scaling yet: raw features
      FeatureSpec.FeatureStats stats = selected.queryExecution().toRdd().toJavaRDD().treeAggregate(
          new FeatureSpec.FeatureStats(s.width()), (acc, row) -> {
            float[] x = new float[s.width()];
            decoder.features(row, x, 0);
            return acc.add(x);
          }, FeatureSpec.FeatureStats::merge);
      double[][] sc = FeatureSpec.scaling(data.normalize(), stats);
      return s.withScaling(sc[0], sc[1]);
    }
    return s;
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
      // 1. decode every read partition into segments of float rows, one per run of rows of one file
      Dataset<Row> withFile = rows.withColumn(FILE, org.apache.spark.sql.functions.input_file_name());
      RowDecoder decoder = new RowDecoder(s, withFile.schema());
      int fileColumn = s.inputColumns().size();
      int width = s.width();
      JavaRDD<Segment> segments = withFile.queryExecution().toRdd().toJavaRDD()
          .mapPartitionsWithIndex((part, it) -> Segment.decode(part, it, decoder, fileColumn, width), true)
          .setName("table-segments:" + where());
      segments.persist(StorageLevel.MEMORY_AND_DISK());
      try {
        // 2. order them by file name, then position (Spark packs files into partitions largest first), so a
        //    table written in order is trained in order, and give each its first row's index
        long t0 = System.nanoTime();
        List<long[]> order = new ArrayList<>();
        List<String> files = new ArrayList<>();
        List<Segment.Info> infos = segments.map(Segment::info).collect();
        decodeSeconds = (System.nanoTime() - t0) / 1e9;
        for (Segment.Info info : infos) {
          files.add(info.file());
          order.add(new long[] {info.partition(), info.seq(), info.count(), order.size()});
        }
        order.sort((a, b) -> {
          int f = files.get((int) a[3]).compareTo(files.get((int) b[3]));
          return f != 0 ? f : a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]);
        });
        java.util.Map<Long, Long> starts = new java.util.HashMap<>();
        long at = 0;
        for (long[] o : order) {
          starts.put(o[0] << 32 | o[1], at);
          at += o[2];
        }
        long[] bounds = ranges.stream().mapToLong(r -> r[0]).toArray();
        if (sc == null) {
          List<Segment.Piece> pieces = new ArrayList<>();
          segments.collect().forEach(g -> pieces.addAll(g.cut(starts.get(g.key()), bounds, n, width)));
          ExampleBlock local = Segment.assemble(0, pieces, counts[0], width);
          return new Split(null, local, description, List.of(file), List.of());
        }
        // 3. move the pieces to their training partition (one shuffle of float arrays) and join them in order
        org.apache.spark.broadcast.Broadcast<java.util.Map<Long, Long>> startOf = sc.broadcast(starts);
        JavaRDD<ExampleBlock> blocks = segments
            .flatMapToPair(g -> g.cut(startOf.value().get(g.key()), bounds, n, width).stream()
                .map(piece -> new scala.Tuple2<>(piece.target(), piece)).iterator())
            .partitionBy(new org.apache.spark.HashPartitioner(p))
            .mapPartitionsWithIndex((t, it) -> {
              List<Segment.Piece> mine = new ArrayList<>();
              it.forEachRemaining(tp -> mine.add(tp._2()));
              return List.of(Segment.assemble(bounds[t], mine, counts[t], width)).iterator();
            }, true)
            .setName("table:" + where());
        blocks.persist(StorageLevel.MEMORY_ONLY());
        long built = blocks.map(ExampleBlock::count).reduce(Integer::sum);
        startOf.destroy(false);
        if (built != n) {
          throw new IllegalStateException(where() + ": built " + built + " examples of " + n);
        }
        double total = (System.nanoTime() - t0) / 1e9;
        LOG.info("{}: {} examples of {} features in {} partitions of {}-{}; read + decode {} s ({} rows/s), "
            + "ordering + repartitioning {} s", where(), n, s.width(), p, Arrays.stream(counts).min().orElse(0),
            Arrays.stream(counts).max().orElse(0), String.format(Locale.ROOT, "%.2f", decodeSeconds),
            String.format(Locale.ROOT, "%,.0f", n / decodeSeconds), String.format(Locale.ROOT, "%.2f", total - decodeSeconds));
        return new Split(new DistributedDataset(blocks, counts, new int[] {s.width()}, List.of(file)), null,
            description, List.of(file), List.of());
      } finally {
        segments.unpersist(false);
      }
    } catch (Exception e) { // Spark's exceptions are undeclared (Scala)
      throw rethrow(e, where());
    }
  }

  private static final String FILE = "__sparktrain_file";

  /**
   * A run of consecutive rows of one file within one read partition, decoded: what ordering and
   * repartitioning move instead of rows.
   */
  static final class Segment implements Serializable {
    private static final long serialVersionUID = 1L;
    final int partition;
    final int seq;
    final String file;
    final int count;
    final float[] x;
    final byte[] y;

    Segment(int partition, int seq, String file, int count, float[] x, byte[] y) {
      this.partition = partition;
      this.seq = seq;
      this.file = file;
      this.count = count;
      this.x = x;
      this.y = y;
    }

    long key() {
      return (long) partition << 32 | seq;
    }

    /**
     * Where a segment came from and how many rows it holds (what the driver orders). A class, not
     * a record: Spark's unsafe Kryo cannot write records' fields.
     */
    static final class Info implements Serializable {
      private static final long serialVersionUID = 1L;
      private final int partition;
      private final int seq;
      private final String file;
      private final int count;

      Info(int partition, int seq, String file, int count) {
        this.partition = partition;
        this.seq = seq;
        this.file = file;
        this.count = count;
      }

      int partition() {
        return partition;
      }

      int seq() {
        return seq;
      }

      String file() {
        return file;
      }

      int count() {
        return count;
      }
    }

    Info info() {
      return new Info(partition, seq, file, count);
    }

    /** A slice of a segment bound for training partition {@code target}, starting at global row {@code start}. */
    static final class Piece implements Serializable {
      private static final long serialVersionUID = 1L;
      private final int target;
      private final long start;
      private final int count;
      private final float[] x;
      private final byte[] y;

      Piece(int target, long start, int count, float[] x, byte[] y) {
        this.target = target;
        this.start = start;
        this.count = count;
        this.x = x;
        this.y = y;
      }

      int target() {
        return target;
      }

      long start() {
        return start;
      }

      int count() {
        return count;
      }

      float[] x() {
        return x;
      }

      byte[] y() {
        return y;
      }
    }

    /** Decodes one read partition's rows (Spark reuses the row objects: each is read at once). */
    static Iterator<Segment> decode(int part, Iterator<InternalRow> it, RowDecoder decoder, int fileColumn, int width) {
      List<Segment> out = new ArrayList<>();
      String current = null;
      float[] x = new float[Math.max(width, 1) * 256];
      byte[] y = new byte[256];
      int n = 0;
      long row = 0;
      while (it.hasNext()) {
        InternalRow r = it.next();
        String file = r.isNullAt(fileColumn) ? "" : r.getUTF8String(fileColumn).toString();
        if (current != null && !file.equals(current) && n > 0) {
          out.add(new Segment(part, out.size(), current, n, Arrays.copyOf(x, n * width), Arrays.copyOf(y, n)));
          n = 0;
        }
        current = file;
        if ((n + 1) * width > x.length) {
          x = Arrays.copyOf(x, Math.max(x.length * 2, (n + 1) * width));
        }
        if (n + 1 > y.length) {
          y = Arrays.copyOf(y, y.length * 2);
        }
        try {
          decoder.features(r, x, n * width);
          y[n] = (byte) decoder.label(r);
        } catch (IllegalArgumentException | ClassCastException e) {
          throw new IllegalArgumentException("row " + row + " of " + file + ": " + e.getMessage(), e);
        }
        n++;
        row++;
      }
      if (n > 0) {
        out.add(new Segment(part, out.size(), current, n, Arrays.copyOf(x, n * width), Arrays.copyOf(y, n)));
      }
      return out.iterator();
    }

    /** This segment (first row = global row {@code start}) cut at the training partitions' bounds, rows >= n dropped. */
    List<Piece> cut(long start, long[] bounds, int n, int width) {
      List<Piece> pieces = new ArrayList<>();
      long from = start;
      long end = Math.min(start + count, n);
      while (from < end) {
        int t = partitionOf(from, bounds);
        long to = Math.min(end, t + 1 < bounds.length ? bounds[t + 1] : n);
        int a = (int) (from - start);
        int b = (int) (to - start);
        pieces.add(new Piece(t, from, b - a, Arrays.copyOfRange(x, a * width, b * width), Arrays.copyOfRange(y, a, b)));
        from = to;
      }
      return pieces;
    }

    private static int partitionOf(long row, long[] bounds) {
      int t = Arrays.binarySearch(bounds, row);
      if (t < 0) {
        t = -t - 2;
      }
      // empty partitions share a bound: take the last partition starting at it
      while (t + 1 < bounds.length && bounds[t + 1] == row) {
        t++;
      }
      return t;
    }

    /** Joins the pieces of one training partition, in row order, into its block. */
    static ExampleBlock assemble(long firstId, List<Piece> pieces, int expected, int width) {
      pieces.sort(java.util.Comparator.comparingLong(Piece::start));
      float[] x = new float[expected * width];
      byte[] y = new byte[expected];
      int at = 0;
      for (Piece piece : pieces) {
        if (piece.start() != firstId + at) {
          throw new IllegalStateException("rows " + (firstId + at) + ".. missing before " + piece.start());
        }
        System.arraycopy(piece.x(), 0, x, at * width, piece.count() * width);
        System.arraycopy(piece.y(), 0, y, at, piece.count());
        at += piece.count();
      }
      if (at != expected) {
        throw new IllegalStateException("assembled " + at + " rows of " + expected);
      }
      return ExampleBlock.ofFloats(firstId, expected, new int[] {width}, x, LabelKind.CLASS, y, null, 0, null);
    }
  }

  /** Input files' names, sizes and modification times hashed: what resume compares and provenance records. */
  private DataFile fingerprint(Dataset<Row> df, String at) {
    Listing l = listing(df, at);
    String role = heldOut() ? split + "_rows" : "rows";
    return new DataFile(role, key(), at, l.sha256(), l.bytes(), count, new int[] {spec.width()});
  }

  /**
   * A table's input files hashed by name, size and modification time (not content: cheap on any
   * store, and a rewritten file changes its time).
   *
   * @param sha256 hex digest of the sorted listing
   * @param bytes their total size
   */
  public record Listing(String sha256, long bytes) {}

  /** The {@link Listing} of {@code df}'s input files; {@code at} names the input in errors. */
  public static Listing listing(Dataset<Row> df, String at) {
    try {
      String[] files = df.inputFiles();
      Arrays.sort(files);
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      long bytes = 0;
      Configuration conf = df.sparkSession().sparkContext().hadoopConfiguration();
      for (String f : files) {
        Path p = new Path(f);
        FileStatus st = p.getFileSystem(conf).getFileStatus(p);
        bytes += st.getLen();
        md.update((f + "\t" + st.getLen() + "\t" + st.getModificationTime() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return new Listing(HexFormat.of().formatHex(md.digest()), bytes);
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
}
