package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Nightly snapshots cut from Fashion-MNIST for the retrain tests: {@code events/dt=2026-12-0N}
 * (Parquet, {@value #NIGHT} rows each, night N from rows (N-1)*NIGHT ..), a 2,000-row holdout from
 * the test set, and a signing key pair. A night can be spoiled on purpose (see {@link Spoil}).
 */
final class RetrainFixture {
  static final int NIGHT = 3000;
  private static final String IMAGES = "/usr/share/datasets/fashion-mnist/";

  /** What goes wrong with a night's snapshot. */
  enum Spoil {
    NONE,
    /** An upstream schema change: {@code pixels} renamed. */
    SCHEMA,
    /** A camera that washes everything out: every pixel 0.5 + 0.5 x. */
    DRIFT,
    /** A labelling bug: plausible labels, wrong ones (the marginal stays uniform). */
    LABELS
  }

  final Path events;
  final Path holdout;
  final Path keys;

  private RetrainFixture(Path events, Path holdout, Path keys) {
    this.events = events;
    this.holdout = holdout;
    this.keys = keys;
  }

  /** Builds the nights (night i is {@code nights.get(i)}, dated 2026-12-0(i+1)) under {@code tmp}. */
  static RetrainFixture build(Path tmp, List<Spoil> nights) {
    Path all = tmp.resolve("fashion-train");
    Path holdout = tmp.resolve("fashion-holdout");
    assertEquals(0, Cli.run("export-table", "--images", IMAGES + "train-images-idx3-ubyte.gz", "--labels",
        IMAGES + "train-labels-idx1-ubyte.gz", "--limit", String.valueOf(nights.size() * NIGHT), "--fashion-names",
        "--output", all.toString(), "--master", "local[2]").code());
    assertEquals(0, Cli.run("export-table", "--images", IMAGES + "t10k-images-idx3-ubyte.gz", "--labels",
        IMAGES + "t10k-labels-idx1-ubyte.gz", "--limit", "2000", "--fashion-names", "--output", holdout.toString(),
        "--master", "local[2]").code());
    Path events = tmp.resolve("events");
    JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("retrain-snapshots")
        .set("spark.ui.enabled", "false"));
    try {
      SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
      Dataset<Row> rows = spark.read().parquet(all.toString());
      for (int night = 0; night < nights.size(); night++) {
        Dataset<Row> slice = rows.where(functions.col("id").geq(night * NIGHT)
            .and(functions.col("id").lt((night + 1) * NIGHT)));
        slice = switch (nights.get(night)) {
          case SCHEMA -> slice.withColumnRenamed("pixels", "pixel_values");
          case DRIFT -> slice.withColumn("pixels", functions.expr("transform(pixels, x -> cast(0.5 + 0.5 * x as "
              + "float))"));
          case LABELS -> slice.withColumn("label", functions.expr("element_at(array('t-shirt', 'trouser', "
              + "'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'), "
              + "cast(pmod(id * 7919, 10) + 1 as int))"));
          case NONE -> slice;
        };
        slice.coalesce(2).write().parquet(events.resolve("dt=" + date(night + 1)).toString());
      }
    } finally {
      sc.stop();
    }
    Path keys = tmp.resolve("keys");
    assertEquals(0, Cli.run("registry", "keygen", "--out", keys.toString()).code());
    return new RetrainFixture(events, holdout, keys);
  }

  /** The date of night {@code n} (1-based). */
  static String date(int n) {
    return String.format("2026-12-%02d", n);
  }

  String signingKey() {
    return keys.resolve("sparktrain-signing.pem").toString();
  }

  String verifyKey() {
    return keys.resolve("sparktrain-verify.pem").toString();
  }

  /** {@code retrain} arguments (without the command name's launcher) for {@code date} into {@code registry}. */
  List<String> retrainArgs(Path registry, String date, String... extra) {
    List<String> a = new ArrayList<>(List.of("retrain", "--config", Cli.conf("nightly-retrain.yaml"), "--date", date,
        "--set", "data.train.path=" + events + "/dt={date}",
        "--set", "registry.uri=" + registry,
        "--set", "registry.signing_key=" + signingKey(),
        "--set", "registry.verify_key=" + verifyKey(),
        "--set", "retrain.holdout=" + holdout));
    a.addAll(List.of(extra));
    return a;
  }
}
