package org.sparktrain.driver.registry;

/**
 * A registry version that must not be used: its manifest is missing or unsigned, its signature
 * does not verify, or a file's SHA-256 or size differs from the manifest. The message names the file.
 */
public final class VerificationException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String file;

  public VerificationException(String file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /** The file that failed. */
  public String file() {
    return file;
  }
}
