package org.sparktrain.driver.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * What one replica did in one round.
 *
 * @param syncSeconds the round's wall time not spent in this replica's compute and data work:
 *     broadcast, task launch, result transfer, averaging and waiting for slower replicas
 */
public record WorkerStats(
    @JsonProperty("partition") int partition,
    @JsonProperty("worker") String worker,
    @JsonProperty("device") String device,
    @JsonProperty("examples") long examples,
    @JsonProperty("batches") int batches,
    @JsonProperty("loss") double loss,
    @JsonProperty("compute_seconds") double computeSeconds,
    @JsonProperty("data_seconds") double dataSeconds,
    @JsonProperty("load_seconds") double loadSeconds,
    @JsonProperty("sync_seconds") double syncSeconds) implements Serializable {

  /** A copy with the sync time filled in from the round's wall time. */
  WorkerStats withRoundSeconds(double roundSeconds) {
    return new WorkerStats(partition, worker, device, examples, batches, loss, computeSeconds, dataSeconds, loadSeconds,
        Math.max(0, roundSeconds - computeSeconds - dataSeconds));
  }
}
