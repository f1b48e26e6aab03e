package org.sparktrain.driver.engine;

import java.util.List;
import org.sparktrain.driver.data.DataDescription;
import org.sparktrain.driver.data.DataFile;
import org.sparktrain.driver.data.DataSource;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.kernels.data.ExampleBlock;

/**
 * One split (train or test) as an engine sees it: spread over Spark partitions, or held locally
 * in one block by an engine that runs without Spark.
 *
 * @param distributed the partitions, or null for a local engine
 * @param local the whole split in one block, or null for a Spark engine
 * @param description what the split holds
 * @param files what it was read from, with content hashes
 */
public record TrainingData(DistributedDataset distributed, ExampleBlock local, DataDescription description,
                           List<DataFile> files) {
  /** A loaded split. */
  public static TrainingData of(DataSource.Split s) {
    return new TrainingData(s.distributed(), s.local(), s.description(), s.files());
  }

  /** Shape of one example. */
  public int[] exampleShape() {
    return description.exampleShape();
  }

  /** Number of examples. */
  public long count() {
    return distributed != null ? distributed.count() : local.count();
  }

  /** Number of partitions (1 when local). */
  public int partitions() {
    return distributed != null ? distributed.partitions() : 1;
  }

  /** Releases cached partitions. */
  public void release() {
    if (distributed != null) {
      distributed.blocks().unpersist(false);
    }
  }
}
