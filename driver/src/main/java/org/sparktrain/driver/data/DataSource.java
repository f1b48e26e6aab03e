package org.sparktrain.driver.data;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.kernels.data.ExampleBlock;

/**
 * Where a split's examples come from. A source validates on the driver before any training (failing
 * fast with the file, column or key named), describes what it holds, and loads the split as cached,
 * balanced partitions (or one local block) together with its fingerprint: the content hashes that
 * provenance records and a resume compares. IDX files ({@link IdxSource}) and image folders
 * ({@link ImageFolderSource.Source}) are the two implementations; {@link DataSources} picks one from
 * the config.
 */
public interface DataSource {
  /** Checks the source on the driver and says what it holds; throws naming the file and the problem. */
  DataDescription validate();

  /**
   * Loads the split.
   *
   * @param sc the Spark context for partitions on the executors, or null to load one block on the driver
   * @param partitions partitions (0 = the context's default parallelism); ignored without {@code sc}
   */
  Split load(JavaSparkContext sc, int partitions);

  /**
   * A loaded split.
   *
   * @param distributed its partitions, or null when loaded locally
   * @param local the whole split in one block, or null when distributed
   * @param description what it holds
   * @param files what it was read from, with content hashes
   * @param problems inputs that were skipped ("path: reason")
   */
  record Split(DistributedDataset distributed, ExampleBlock local, DataDescription description, List<DataFile> files,
               List<String> problems) {
    /** Examples. */
    public long count() {
      return distributed != null ? distributed.count() : local.count();
    }
  }
}
