package org.sparktrain.driver.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/** What one replica did in one round. */
public record WorkerStats(
    @JsonProperty("partition") int partition,
    @JsonProperty("worker") String worker,
    @JsonProperty("examples") long examples,
    @JsonProperty("batches") int batches,
    @JsonProperty("loss") double loss,
    @JsonProperty("compute_seconds") double computeSeconds,
    @JsonProperty("data_seconds") double dataSeconds) implements Serializable {}
