package org.sparktrain.kernels.train;

import java.io.Serializable;

/**
 * Which minibatches a replica trains in one round: steps {@code [firstStep, firstStep + steps)}
 * of epoch {@code epoch} of its partition's {@link BatchPlan}. The cursor is explicit, so a retried
 * task trains on exactly the batches the failed attempt would have.
 */
public record RoundPlan(int round, int epoch, int firstStep, int steps, int batchSize, long seed, boolean shuffle,
                        int numClasses) implements Serializable {}
