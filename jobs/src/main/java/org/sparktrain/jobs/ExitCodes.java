package org.sparktrain.jobs;

/** Process exit codes of the CLI. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;
  /** Unexpected failure (a bug or an environment problem); the stack trace is logged. */
  public static final int FAILURE = 1;
  /** Bad command line or config (unknown key, wrong type, out-of-range value). */
  public static final int USAGE = 2;
  /** Bad input data (corrupt, truncated, mismatched or missing file). */
  public static final int BAD_DATA = 3;
  /** The output directory already holds results and --overwrite was not given. */
  public static final int OUTPUT_EXISTS = 4;
  /** The cluster is set up in a way training cannot work with (preflight check). */
  public static final int CLUSTER = 5;
  /**
   * Training stopped: most replicas diverged and no rollback was left, or a round exceeded
   * guard.round_timeout_seconds. Checkpoints written so far are kept.
   */
  public static final int TRAINING_STOPPED = 6;

  private ExitCodes() {}
}
