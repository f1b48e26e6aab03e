package org.sparktrain.driver.spark;

/** A cluster setting that would make training fail or misbehave; the message says what to change. */
public final class PreflightException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PreflightException(String message) {
    super(message);
  }

  public PreflightException(String message, Throwable cause) {
    super(message, cause);
  }
}
