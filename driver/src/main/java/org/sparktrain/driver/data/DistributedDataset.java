package org.sparktrain.driver.data;

import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.kernels.data.ExampleBlock;

/**
 * A labelled dataset spread over Spark partitions, one {@link ExampleBlock} per partition.
 *
 * @param blocks one block per partition, cached on the executors
 * @param partitionCounts examples in each partition, known on the driver without a job
 * @param exampleShape shape of one example, e.g. [28, 28]
 * @param files what the split was read from, with content hashes
 */
public record DistributedDataset(JavaRDD<ExampleBlock> blocks, int[] partitionCounts, int[] exampleShape,
                                 java.util.List<DataFile> files) {
  /** The content hash of the input of {@code role} ({@code images}, {@code labels}), or null. */
  public String sha256(String role) {
    return files.stream().filter(f -> f.role().equals(role)).map(DataFile::sha256).findFirst().orElse(null);
  }

  /** Total examples. */
  public long count() {
    return Arrays.stream(partitionCounts).asLongStream().sum();
  }

  /** Number of partitions. */
  public int partitions() {
    return partitionCounts.length;
  }
}
