package org.sparktrain.driver.train;

/** Observes the averaging loop; progress printing, metrics and guards plug in here. */
public interface TrainingListener {
  /**
   * Called on the driver after each round's average is applied.
   *
   * @param stats the round
   * @param totalRounds rounds in the whole run
   * @param elapsedSeconds wall time since training started
   * @param examplesSoFar examples trained since training started
   */
  void onRound(RoundStats stats, int totalRounds, double elapsedSeconds, long examplesSoFar);
}
