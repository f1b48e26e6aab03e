package org.sparktrain.kernels.data;

/**
 * Input data that cannot be used as it is: wrong magic number, truncated or not-gzip file,
 * count mismatch, label out of range, wrong example shape. The message always names the file.
 */
public final class CorruptDataException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String path;

  public CorruptDataException(String path, String problem) {
    super(path + ": " + problem);
    this.path = path;
  }

  public CorruptDataException(String path, String problem, Throwable cause) {
    super(path + ": " + problem, cause);
    this.path = path;
  }

  /** The file the problem was found in. */
  public String path() {
    return path;
  }
}
