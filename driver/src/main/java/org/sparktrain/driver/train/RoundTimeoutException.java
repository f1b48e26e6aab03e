package org.sparktrain.driver.train;

/** A round's tasks did not finish within {@code guard.round_timeout_seconds}; the round was cancelled. */
public final class RoundTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RoundTimeoutException(String message) {
    super(message);
  }
}
