package org.sparktrain.driver.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One averaging round as the driver saw it.
 *
 * @param round 1-based round number over the whole run
 * @param epoch 1-based epoch
 * @param k minibatches per replica the round was planned for
 * @param loss mean training loss over the round's examples (all replicas)
 * @param examples examples trained in the round (all replicas)
 * @param seconds wall time of the round on the driver (broadcast, train, aggregate)
 * @param syncSeconds {@code seconds} minus the slowest replica's compute and data time
 * @param replicaSpread RMS distance of the replicas from their average, in parameter units
 * @param relativeSpread {@code replicaSpread} / norm of the averaged parameters
 * @param workers per-replica figures, by partition
 */
public record RoundStats(
    @JsonProperty("round") int round,
    @JsonProperty("epoch") int epoch,
    @JsonProperty("k") int k,
    @JsonProperty("loss") double loss,
    @JsonProperty("examples") long examples,
    @JsonProperty("seconds") double seconds,
    @JsonProperty("sync_seconds") double syncSeconds,
    @JsonProperty("replica_spread") double replicaSpread,
    @JsonProperty("relative_spread") double relativeSpread,
    @JsonProperty("workers") List<WorkerStats> workers) {

  /** A round whose sync time is what its wall time leaves beside the slowest replica's work. */
  public static RoundStats of(int round, int epoch, int k, double loss, long examples, double seconds,
                              double replicaSpread, double relativeSpread, List<WorkerStats> workers) {
    return new RoundStats(round, epoch, k, loss, examples, seconds, Math.max(0, seconds - busySeconds(workers)),
        replicaSpread, relativeSpread, workers);
  }

  /** The slowest replica's compute + data seconds. */
  public double busySeconds() {
    return busySeconds(workers);
  }

  private static double busySeconds(List<WorkerStats> workers) {
    return workers.stream().mapToDouble(w -> w.computeSeconds() + w.dataSeconds()).max().orElse(0);
  }

  /** The fastest working replica's compute + data seconds. */
  public double fastestBusySeconds() {
    return workers.stream().filter(w -> w.batches() > 0).mapToDouble(w -> w.computeSeconds() + w.dataSeconds())
        .min().orElse(0);
  }
}
