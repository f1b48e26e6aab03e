package org.sparktrain.driver.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.kernels.image.ImageDecoder;

/** The {@link DataSource} of a split, as {@code data.format} and {@code data.*} describe it. */
public final class DataSources {
  private DataSources() {}

  /** The training split. */
  public static DataSource train(TrainConfig.Data d, Configuration hadoop) {
    return of(d, "train", d.train(), d.limit().train(), null, hadoop);
  }

  /** The test split, whose examples must have the training data's shape. */
  public static DataSource test(TrainConfig.Data d, int[] trainShape, Configuration hadoop) {
    return of(d, "test", d.test(), d.limit().test(), trainShape, hadoop);
  }

  /**
   * The training split; tables and columnar files ({@link TableSource}) are read through {@code sc}'s
   * Spark SQL session.
   */
  public static DataSource train(TrainConfig.Data d, Configuration hadoop, JavaSparkContext sc, long seed) {
    if (d.tabular()) {
      return new TableSource("train", d, session(sc), seed, d.limit().train(), null);
    }
    return train(d, hadoop);
  }

  /** The test split of {@code train} (validated): a table's test split applies the training split's features. */
  public static DataSource test(TrainConfig.Data d, DataSource train, int[] trainShape, Configuration hadoop,
                                JavaSparkContext sc, long seed) {
    if (train instanceof TableSource t) {
      return new TableSource("test", d, session(sc), seed, d.limit().test(), t.spec());
    }
    return test(d, trainShape, hadoop);
  }

  /** The Spark SQL session on {@code sc}, or null without a context. */
  public static SparkSession session(JavaSparkContext sc) {
    return sc == null ? null : SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
  }

  private static DataSource of(TrainConfig.Data d, String split, TrainConfig.Split s, int limit, int[] shape,
                               Configuration hadoop) {
    if (d.folders()) {
      return new ImageFolderSource.Source(split, s.folder(), new ImageDecoder(d.image().height(), d.image().width(),
          d.image().channels()), d.numClasses(), limit, d.onBadFileChoice() == org.sparktrain.driver.config.Choices.OnBadFile.SKIP, hadoop);
    }
    return new IdxSource(split, s.images(), s.labels(), d.numClasses(), limit, shape, hadoop);
  }
}
