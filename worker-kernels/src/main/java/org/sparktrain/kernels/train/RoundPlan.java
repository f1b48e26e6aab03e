package org.sparktrain.kernels.train;

import java.io.Serializable;

/**
 * Which minibatches a replica trains in one round: steps {@code [firstStep, firstStep + steps)}
 * of epoch {@code epoch} of its partition's {@link BatchPlan}. The cursor is explicit, so a retried
 * task trains on exactly the batches the failed attempt would have.
 *
 * @param learningRate the learning rate to train with, or NaN for the one the network was configured
 *     with (set by the divergence guard after a rollback)
 */
public record RoundPlan(int round, int epoch, int firstStep, int steps, int batchSize, long seed, boolean shuffle,
                        int numClasses, double learningRate) implements Serializable {
  /** A plan at the configured learning rate. */
  public RoundPlan(int round, int epoch, int firstStep, int steps, int batchSize, long seed, boolean shuffle,
                   int numClasses) {
    this(round, epoch, firstStep, steps, batchSize, seed, shuffle, numClasses, Double.NaN);
  }
}
