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
  /**
   * {@code retrain}: the challenger was trained and registered, and the gate kept the champion. Not a
   * failure of the job: schedulers should treat it as success (the ledger and metrics.prom say why).
   */
  public static final int GATE_REJECTED = 8;
  /** {@code retrain}: no snapshot for the date (or the one the champion was trained on); nothing trained. */
  public static final int NO_NEW_DATA = 9;
  /** {@code retrain}: the snapshot failed its data checks (volume, schema, nulls, drift); nothing trained. */
  public static final int DATA_CHECK_FAILED = 10;
  /** {@code retrain}: training the challenger failed (checkpoints are kept; a rerun of the date resumes). */
  public static final int TRAINING_FAILED = 11;
  /** Another writer moved a registry alias first; what this run registered is kept. */
  public static final int REGISTRY_CONFLICT = 12;
  /** A registry version (or the frozen holdout) failed verification: unsigned, bad signature, changed file. */
  public static final int UNVERIFIED = 13;

  private ExitCodes() {}

  /** {@code deploy validate}: a rendered artefact failed a check (each failure is printed with the field). */
  public static final int DEPLOY_INVALID = 14;

  /** Retrain outcomes ({@code --succeed-on}) that end a night as designed without a promotion: 8 and 9. */
  public static final java.util.List<String> SUCCEED_ON = java.util.List.of("gate-rejected", "no-new-data");
}
