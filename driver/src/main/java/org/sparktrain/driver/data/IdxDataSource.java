package org.sparktrain.driver.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.IdxFileSummary;
import org.sparktrain.kernels.data.IdxFiles;

/**
 * Loads a pair of IDX files (images, labels) from any Hadoop path into a {@link DistributedDataset}.
 * The driver validates and hashes both files once (fail fast, before any executor work); then each
 * partition reads its own balanced range of records on an executor and keeps it as raw bytes.
 */
public final class IdxDataSource {
  private static final Logger LOG = LoggerFactory.getLogger(IdxDataSource.class);

  private IdxDataSource() {}

  /**
   * Validates the files on the driver without reading them into Spark.
   *
   * @return {@code [images, labels]} summaries
   */
  public static IdxFileSummary[] inspect(String imagesPath, String labelsPath, int numClasses,
                                         org.apache.hadoop.conf.Configuration conf) {
    IdxFileSummary images = IdxFiles.inspect(imagesPath, conf);
    IdxFileSummary labels = IdxFiles.inspect(labelsPath, conf);
    if (images.header().dims().length < 2) {
      throw new CorruptDataException(imagesPath, "an images file needs at least 2 dimensions (count, features...), "
          + "header has " + Arrays.toString(images.header().dims()) + "; is it a labels file?");
    }
    if (labels.header().dims().length != 1) {
      throw new CorruptDataException(labelsPath, "a labels file has 1 dimension (count), header has "
          + Arrays.toString(labels.header().dims()) + "; is it an images file?");
    }
    if (images.header().count() != labels.header().count()) {
      throw new CorruptDataException(labelsPath, "image/label count mismatch: " + labels.header().count()
          + " labels but " + imagesPath + " holds " + images.header().count() + " images");
    }
    if (labels.maxLabel() >= numClasses) {
      throw new CorruptDataException(labelsPath, "label " + labels.maxLabel() + " is outside the class range [0, "
          + numClasses + ") set by data.num_classes");
    }
    return new IdxFileSummary[] {images, labels};
  }

  /**
   * Validates a split and decides how many examples to use.
   *
   * @param limit use only the first {@code limit} examples (0 = all)
   * @param expectedShape shape every example must have, or null to accept the file's
   */
  public static Checked check(String imagesPath, String labelsPath, int numClasses, int limit, int[] expectedShape,
                              org.apache.hadoop.conf.Configuration conf) {
    IdxFileSummary[] s = inspect(imagesPath, labelsPath, numClasses, conf);
    int[] shape = s[0].header().recordShape();
    if (expectedShape != null && !Arrays.equals(shape, expectedShape)) {
      throw new CorruptDataException(imagesPath, "wrong image size: records have shape " + Arrays.toString(shape)
          + ", expected " + Arrays.toString(expectedShape) + " (the training data's shape)");
    }
    int total = s[0].header().count();
    int n = limit > 0 ? Math.min(limit, total) : total;
    return new Checked(s[0], s[1], shape, n);
  }

  /**
   * A validated split.
   *
   * @param count examples to use
   */
  public record Checked(IdxFileSummary images, IdxFileSummary labels, int[] shape, int count) {
    /** One of the two files as a {@link DataFile} of {@code split} ({@code data.<split>.<role>}). */
    public DataFile file(String split, String role, IdxFileSummary s) {
      return new DataFile(role, "data." + split + "." + role, s.path(), s.sha256(), s.storedBytes(),
          s.header().count(), s.header().recordShape());
    }
  }

  /**
   * Loads a split on the driver into one block, for engines that run without Spark.
   */
  public static ExampleBlock loadLocal(Checked c, int numClasses, org.apache.hadoop.conf.Configuration conf) {
    return IdxFiles.readRange(c.images().path(), c.labels().path(), 0, c.count(), numClasses, conf);
  }

  /**
   * Loads a dataset.
   *
   * @param partitions number of partitions (0 = the context's default parallelism)
   * @param limit use only the first {@code limit} examples (0 = all)
   * @param expectedShape shape every example must have, or null to accept the file's
   */
  public static DistributedDataset load(JavaSparkContext sc, String imagesPath, String labelsPath, int numClasses,
                                        int partitions, int limit, int[] expectedShape) {
    return load(sc, check(imagesPath, labelsPath, numClasses, limit, expectedShape, sc.hadoopConfiguration()),
        numClasses, partitions);
  }

  /** Spreads a validated split over {@code partitions} balanced partitions (0 = default parallelism). */
  public static DistributedDataset load(JavaSparkContext sc, Checked c, int numClasses, int partitions) {
    String imagesPath = c.images().path();
    String labelsPath = c.labels().path();
    int n = c.count();
    int p = partitions > 0 ? partitions : sc.defaultParallelism();
    List<long[]> ranges = balancedRanges(n, p);
    int[] counts = ranges.stream().mapToInt(r -> (int) (r[1] - r[0])).toArray();
    LOG.info("{}: {} examples of shape {} in {} partitions of {}-{} (sha256 {})", imagesPath, n,
        Arrays.toString(c.shape()), p, Arrays.stream(counts).min().orElse(0), Arrays.stream(counts).max().orElse(0),
        c.images().sha256().substring(0, 12));
    JavaRDD<ExampleBlock> blocks = sc.parallelize(ranges, p)
        .map(new ReadRange(imagesPath, labelsPath, numClasses,
            sc.broadcast(new SerializableHadoopConf(sc.hadoopConfiguration()))))
        .setName("idx:" + imagesPath);
    blocks.persist(StorageLevel.MEMORY_ONLY());
    return new DistributedDataset(blocks, counts, c.shape(), List.of(c.file("train", "images", c.images()),
        c.file("train", "labels", c.labels())));
  }

  /**
   * Splits {@code n} records into {@code p} contiguous ranges {@code [from, to)} whose sizes differ by
   * at most one.
   */
  public static List<long[]> balancedRanges(int n, int p) {
    List<long[]> ranges = new ArrayList<>(p);
    for (int i = 0; i < p; i++) {
      ranges.add(new long[] {(long) i * n / p, (long) (i + 1) * n / p});
    }
    return ranges;
  }

  /**
   * Reads one partition's record range on an executor. The Hadoop configuration travels as a
   * broadcast: this function stays in the lineage of every training round's task, and a
   * configuration serialized into each task costs milliseconds per round on both sides.
   */
  static final class ReadRange implements Function<long[], ExampleBlock> {
    private static final long serialVersionUID = 2L;
    private final String images;
    private final String labels;
    private final int numClasses;
    private final org.apache.spark.broadcast.Broadcast<SerializableHadoopConf> conf;

    ReadRange(String images, String labels, int numClasses,
              org.apache.spark.broadcast.Broadcast<SerializableHadoopConf> conf) {
      this.images = images;
      this.labels = labels;
      this.numClasses = numClasses;
      this.conf = conf;
    }

    @Override
    public ExampleBlock call(long[] range) {
      return IdxFiles.readRange(images, labels, range[0], (int) (range[1] - range[0]), numClasses,
          conf.value().get());
    }
  }
}
