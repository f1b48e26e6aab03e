package org.sparktrain.driver.engine;

import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.IdxFileSummary;

/**
 * One split (train or test) as an engine sees it: spread over Spark partitions, or held locally
 * in one block by an engine that runs without Spark.
 *
 * @param distributed the partitions, or null for a local engine
 * @param local the whole split in one block, or null for a Spark engine
 * @param images validated images file
 * @param labels validated labels file
 * @param exampleShape shape of one example
 */
public record TrainingData(DistributedDataset distributed, ExampleBlock local, IdxFileSummary images,
                           IdxFileSummary labels, int[] exampleShape) {
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
