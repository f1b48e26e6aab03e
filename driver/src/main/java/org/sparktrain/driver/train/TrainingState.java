package org.sparktrain.driver.train;

/**
 * Everything the averaging loop needs to continue a run exactly where it stood after a round: what
 * a checkpoint holds. The per-partition data cursor is implied: every partition is at
 * {@code min(step, its batches)} of epoch {@code epoch}'s seeded batch order.
 *
 * @param runId the run the state belongs to
 * @param round rounds completed
 * @param epoch the epoch the next round trains in (0-based; {@code == epochs} when finished)
 * @param step the first minibatch step of the next round within {@code epoch}
 * @param iteration DL4J iteration counter (Adam's bias correction depends on it)
 * @param samples examples trained so far, all replicas
 * @param params averaged parameters
 * @param updater averaged updater state, or null
 * @param learningRate the learning rate rounds run at, or NaN for the configured one
 * @param rollbacks divergence rollbacks so far
 * @param frequency the k controller's state
 * @param partitionCounts examples per partition (a resumed run must see the same split)
 * @param partitionBatches minibatches per epoch of each partition (augmented copies included): a
 *     partition's cursor is batch {@code min(step, partitionBatches[p])} of epoch {@code epoch}
 * @param trainingSeconds training-loop time spent so far, across resumes
 * @param seed the run's seed: batch order is drawn from (seed, epoch, partition), in-network
 *     randomness from (seed, round, partition), augmentation from (seed, epoch, example, copy)
 */
public record TrainingState(String runId, int round, int epoch, int step, int iteration, long samples,
                            float[] params, float[] updater, double learningRate, int rollbacks,
                            FrequencyController.Snapshot frequency, int[] partitionCounts,
                            int[] partitionBatches, double trainingSeconds, long seed) {}
