package org.sparktrain.driver.train;

import org.nd4j.evaluation.IEvaluation;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * Observes a training run (after DJL's {@code TrainingListener}): progress printing, telemetry,
 * monitoring, registry hooks plug in here (pruning reports through {@link #onPruned}). Every
 * method has a default that does nothing, so a listener implements only the events it needs.
 * Called on the driver, from the training thread, in the order the events happen.
 */
public interface TrainingListener {
  /** Training is about to start (after round 0: data cached, replicas built). */
  default void onRunStart(RunStart run) {}

  /** Round {@code plan.round()} was handed to the replicas. */
  default void onRoundStart(RoundPlan plan) {}

  /**
   * The replicas' results of a round were averaged. {@code round.params()} is the average the next
   * round will start from (read it; do not write it: use {@link #transformAverage}).
   */
  default void onRoundAveraged(AveragedRound round) {}

  /**
   * May replace the averaged parameters before the next round starts from them and before a
   * checkpoint saves them (pruning does not use it: its masks must also travel with the rounds,
   * so the trainer applies them itself). Returns {@code round.params()} by default;
   * a listener that changes them returns a new array of the same length.
   */
  default float[] transformAverage(AveragedRound round) {
    return round.params();
  }

  /**
   * Pruning grew its mask after round {@code round} ({@code 0}: before the first round), at
   * {@code steps} minibatch steps, to the schedule's {@code sparsity}; every later round holds
   * {@code mask}'s weights at zero.
   */
  default void onPruned(int round, long steps, double sparsity, org.sparktrain.kernels.prune.PruningMask mask) {}

  /**
   * A round ended (its average applied).
   *
   * @param stats the round
   * @param totalRounds rounds in the whole run (an estimate while {@code averaging.frequency} is auto)
   * @param elapsedSeconds wall time since training started
   * @param examplesSoFar examples trained since training started
   */
  default void onRound(RoundStats stats, int totalRounds, double elapsedSeconds, long examplesSoFar) {}

  /** The last round of epoch {@code epoch} (1-based) ended. */
  default void onEpochEnd(int epoch, RoundStats lastRound) {}

  /**
   * Round {@code round} diverged and was rolled back to the last average; it is retried at
   * {@code learningRate}.
   */
  default void onRollback(int round, double learningRate) {}

  /** A checkpoint of the state after round {@code round} was taken (written in the background). */
  default void onCheckpoint(int round) {}

  /** The trained model was evaluated on a split ({@code "test"}). */
  default void onEvaluation(String split, IEvaluation<?> evaluation) {}

  /** Training ended normally. */
  default void onRunEnd(TrainingResult result) {}

  /**
   * What a run is about to do.
   *
   * @param runId the run's id
   * @param partitions replicas
   * @param stepsPerEpoch minibatches per epoch of the largest partition
   * @param epochs passes over the data
   * @param parameters parameters of the model
   * @param resumedAfterRound the checkpointed round the run continues from, 0 when fresh
   */
  record RunStart(String runId, int partitions, int stepsPerEpoch, int epochs, long parameters,
                  int resumedAfterRound) {}

  /**
   * A round's average.
   *
   * @param round the round
   * @param epoch its epoch (1-based)
   * @param params the averaged parameters
   * @param updater the averaged updater state, or null
   * @param examples examples the average weighs
   */
  record AveragedRound(int round, int epoch, float[] params, float[] updater, long examples) {}
}
