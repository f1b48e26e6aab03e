package org.sparktrain.driver.output;

/** The output directory already holds files and {@code --overwrite} was not given. */
public final class OutputExistsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OutputExistsException(String message) {
    super(message);
  }
}
