package org.sparktrain.driver.train;

/** Training stopped because most replicas diverged and no rollback was left (or allowed). */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(message);
  }
}
