package org.sparktrain.driver.data;

import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.data.IdxFileSummary;

/**
 * A labelled dataset spread over Spark partitions, one {@link ExampleBlock} per partition.
 *
 * @param blocks one block per partition, cached on the executors
 * @param partitionCounts examples in each partition, known on the driver without a job
 * @param exampleShape shape of one example, e.g. [28, 28]
 * @param images what the validating pass found in the images file
 * @param labels what it found in the labels file
 */
public record DistributedDataset(JavaRDD<ExampleBlock> blocks, int[] partitionCounts, int[] exampleShape,
                                 IdxFileSummary images, IdxFileSummary labels) {
  /** Total examples. */
  public long count() {
    return Arrays.stream(partitionCounts).asLongStream().sum();
  }

  /** Number of partitions. */
  public int partitions() {
    return partitionCounts.length;
  }
}
