package org.sparktrain.driver.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One averaging round as the driver saw it.
 *
 * @param round 1-based round number over the whole run
 * @param epoch 1-based epoch
 * @param loss mean training loss over the round's examples (all replicas)
 * @param examples examples trained in the round (all replicas)
 * @param seconds wall time of the round on the driver (broadcast, train, aggregate)
 * @param workers per-replica figures, by partition
 */
public record RoundStats(
    @JsonProperty("round") int round,
    @JsonProperty("epoch") int epoch,
    @JsonProperty("loss") double loss,
    @JsonProperty("examples") long examples,
    @JsonProperty("seconds") double seconds,
    @JsonProperty("workers") List<WorkerStats> workers) {}
