package org.sparktrain.driver.registry;

/**
 * Another writer changed the registry between this run's read and its write: an alias moved, or a
 * version number was taken. Nothing this run wrote is lost (its version stays registered); the
 * message says what moved and what to do.
 */
public final class RegistryConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegistryConflictException(String message) {
    super(message);
  }
}
