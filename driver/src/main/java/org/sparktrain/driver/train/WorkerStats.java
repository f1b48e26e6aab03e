package org.sparktrain.driver.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * What one replica did in one round.
 *
 * @param syncSeconds the round's wall time not spent in this replica's compute and data work:
 *     broadcast, task launch, result transfer, averaging and waiting for slower replicas
 * @param attempt Spark task attempt that produced the result (above 0 after a retry)
 * @param excluded why the divergence guard left this replica out of the average, or null
 * @param start how the replica began the round (reset, continue, correct, throwaway), or null
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
    @JsonProperty("sync_seconds") double syncSeconds,
    @JsonProperty("attempt") int attempt,
    @JsonProperty("excluded") @com.fasterxml.jackson.annotation.JsonInclude(
        com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String excluded,
    @JsonProperty("start") @com.fasterxml.jackson.annotation.JsonInclude(
        com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String start) implements Serializable {

  /** Stats without the replica's start. */
  public WorkerStats(int partition, String worker, String device, long examples, int batches, double loss,
                     double computeSeconds, double dataSeconds, double loadSeconds, double syncSeconds, int attempt,
                     String excluded) {
    this(partition, worker, device, examples, batches, loss, computeSeconds, dataSeconds, loadSeconds, syncSeconds,
        attempt, excluded, null);
  }

  /** A first-attempt, averaged replica's stats. */
  public WorkerStats(int partition, String worker, String device, long examples, int batches, double loss,
                     double computeSeconds, double dataSeconds, double loadSeconds, double syncSeconds) {
    this(partition, worker, device, examples, batches, loss, computeSeconds, dataSeconds, loadSeconds, syncSeconds, 0,
        null);
  }

  /** A copy marked as excluded from the average. */
  WorkerStats excludedFor(String reason) {
    return new WorkerStats(partition, worker, device, examples, batches, loss, computeSeconds, dataSeconds, loadSeconds,
        syncSeconds, attempt, reason, start);
  }

  /** A copy with the sync time filled in from the round's wall time. */
  WorkerStats withRoundSeconds(double roundSeconds) {
    return new WorkerStats(partition, worker, device, examples, batches, loss, computeSeconds, dataSeconds, loadSeconds,
        Math.max(0, roundSeconds - computeSeconds - dataSeconds), attempt, excluded, start);
  }
}
