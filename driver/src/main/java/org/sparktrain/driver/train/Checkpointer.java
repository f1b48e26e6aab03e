package org.sparktrain.driver.train;

import java.util.function.Supplier;

/** Told after every completed round; decides for itself whether to write a checkpoint. */
public interface Checkpointer {
  /**
   * @param state the state after the round (built only when asked for)
   * @param last whether this was the run's last round
   */
  void afterRound(Supplier<TrainingState> state, boolean last);

  /** Called once when training ends, normally or not: finish or abandon pending work. */
  default void close() {}

  /** Writes nothing. */
  Checkpointer NONE = (state, last) -> {};
}
