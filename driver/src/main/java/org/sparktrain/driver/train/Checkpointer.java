package org.sparktrain.driver.train;

import java.util.function.Supplier;

/** Told after every completed round; decides for itself whether to write a checkpoint. */
public interface Checkpointer {
  /**
   * @param state the state after the round (built only when asked for)
   * @param last whether this was the run's last round
   * @return whether a checkpoint of this state was taken
   */
  boolean afterRound(Supplier<TrainingState> state, boolean last);

  /**
   * Told after a round whose state may not be written: in overlapped averaging the next round
   * already runs from the replicas' own states, so the average alone would not resume this run
   * exactly. A checkpoint that comes due waits for the next consistent round.
   */
  default void afterInconsistentRound() {}

  /**
   * Whether a checkpoint will be due after {@code roundsAhead} more rounds, so overlapped averaging
   * can let the pipeline drain in time to make that round consistent.
   */
  default boolean dueAfter(int roundsAhead) {
    return false;
  }

  /** Called once when training ends, normally or not: finish or abandon pending work. */
  default void close() {}

  /** Writes nothing. */
  Checkpointer NONE = (state, last) -> false;
}
