package org.sparktrain.driver.train;

import java.io.Serializable;

/**
 * How the averaging loop protects a run from hung tasks and diverging replicas.
 *
 * @param roundTimeoutSeconds a round whose tasks have not all finished after this long is cancelled
 *     and the run fails naming the stage and executors still running; 0 = no limit
 * @param maxLossRatio a replica whose round loss exceeds this multiple of the median loss of the
 *     other replicas is left out of that round's average; 0 = no loss check (non-finite values are
 *     always left out)
 * @param maxDivergedFraction when more than this share of the working replicas is left out, the round
 *     is rolled back instead of averaged
 * @param reduceLearningRate on rollback, retry the round at {@code learningRateFactor} times the rate
 *     (true) or stop the run (false)
 * @param learningRateFactor multiplier applied to the learning rate at each rollback, in (0, 1)
 * @param maxRollbacks rollbacks allowed in one run before it stops
 */
public record GuardSettings(int roundTimeoutSeconds, double maxLossRatio, double maxDivergedFraction,
                            boolean reduceLearningRate, double learningRateFactor, int maxRollbacks)
    implements Serializable {

  /** The settings {@code guard.*} describes. */
  public static GuardSettings of(org.sparktrain.driver.config.TrainConfig.Guard g) {
    return new GuardSettings(g.roundTimeoutSeconds(), g.maxLossRatio(), g.maxDivergedFraction(),
        g.onDivergenceChoice() == org.sparktrain.driver.config.Choices.OnDivergence.REDUCE_LR, g.lrFactor(), g.maxRollbacks());
  }

  /** No timeout; loss 20x the median excludes; roll back (halving the rate) when most diverge, at most 3 times. */
  public static GuardSettings defaults() {
    return new GuardSettings(0, 20, 0.5, true, 0.5, 3);
  }
}
