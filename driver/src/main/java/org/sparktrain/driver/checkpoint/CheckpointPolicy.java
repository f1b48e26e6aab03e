package org.sparktrain.driver.checkpoint;

/**
 * When checkpoints are written and which are kept.
 *
 * @param dir where they go (any Hadoop path)
 * @param everyRounds write after every this many rounds; 0 = not by rounds
 * @param everyMinutes write when this many minutes passed since the last one; 0 = not by time
 * @param keepLast keep the newest this many (at least 1: the newest verified one is never deleted)
 * @param keepEvery also keep every this-many-th checkpoint of a run for good; 0 = none
 */
public record CheckpointPolicy(String dir, int everyRounds, double everyMinutes, int keepLast, int keepEvery) {
  public CheckpointPolicy {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
    }
  }

  /** The policy {@code checkpoint.*} describes, the directory defaulting to {@code <outputDir>/_checkpoints}. */
  public static CheckpointPolicy of(org.sparktrain.driver.config.TrainConfig.Checkpoint c, String outputDir) {
    String d = c.dir() != null && !c.dir().isBlank() ? c.dir()
        : new org.apache.hadoop.fs.Path(outputDir, "_checkpoints").toString();
    return new CheckpointPolicy(d, c.everyRounds(), c.everyMinutes(), c.keepLast(), c.keepEvery());
  }

  /** Whether any trigger is set. */
  public boolean enabled() {
    return everyRounds > 0 || everyMinutes > 0;
  }
}
