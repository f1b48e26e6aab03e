package org.sparktrain.driver.train;

/**
 * Everything the averaging loop needs to continue a run exactly where it stood after a round: what
 * a checkpoint holds. The per-partition data cursor is implied: every partition is at
 * {@code min(step, its batches)} of epoch {@code epoch}'s seeded batch order.
 *
 * @param runId the run the state belongs to
 * @param round rounds completed
 * @param epoch the epoch the next round trains in (0-based; {@code == epochs} when finished)
 * @param step the first minibatch step of the next round within {@code epoch}
 * @param iteration DL4J iteration counter (Adam's bias correction depends on it)
 * @param samples examples trained so far, all replicas
 * @param params averaged parameters
 * @param updater averaged updater state, or null
 * @param learningRate the learning rate rounds run at, or NaN for the configured one
 * @param rollbacks divergence rollbacks so far
 * @param frequency the k controller's state
 * @param partitionCounts examples per partition (a resumed run must see the same split)
 * @param partitionBatches minibatches per epoch of each partition (augmented copies included): a
 *     partition's cursor is batch {@code min(step, partitionBatches[p])} of epoch {@code epoch}
 * @param trainingSeconds training-loop time spent so far, across resumes
 * @param seed the run's seed: batch order is drawn from (seed, epoch, partition), in-network
 *     randomness from (seed, round, partition), augmentation from (seed, epoch, example, copy)
 * @param mask the weights pruning holds at zero, or null
 */
public record TrainingState(String runId, int round, int epoch, int step, int iteration, long samples,
                            float[] params, float[] updater, double learningRate, int rollbacks,
                            FrequencyController.Snapshot frequency, int[] partitionCounts,
                            int[] partitionBatches, double trainingSeconds, long seed,
                            org.sparktrain.kernels.prune.PruningMask mask) {
  /** A builder: the state has too many fields of the same types to construct positionally. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link TrainingState}; unset numbers are 0, the learning rate NaN (the configured one). */
  public static final class Builder {
    private String runId;
    private int round;
    private int epoch;
    private int step;
    private int iteration;
    private long samples;
    private float[] params;
    private float[] updater;
    private double learningRate = Double.NaN;
    private int rollbacks;
    private FrequencyController.Snapshot frequency;
    private int[] partitionCounts;
    private int[] partitionBatches;
    private double trainingSeconds;
    private long seed;
    private org.sparktrain.kernels.prune.PruningMask mask;

    private Builder() {}

    public Builder runId(String v) {
      runId = v;
      return this;
    }

    public Builder round(int v) {
      round = v;
      return this;
    }

    public Builder epoch(int v) {
      epoch = v;
      return this;
    }

    public Builder step(int v) {
      step = v;
      return this;
    }

    public Builder iteration(int v) {
      iteration = v;
      return this;
    }

    public Builder samples(long v) {
      samples = v;
      return this;
    }

    public Builder params(float[] v) {
      params = v;
      return this;
    }

    public Builder updater(float[] v) {
      updater = v;
      return this;
    }

    public Builder learningRate(double v) {
      learningRate = v;
      return this;
    }

    public Builder rollbacks(int v) {
      rollbacks = v;
      return this;
    }

    public Builder frequency(FrequencyController.Snapshot v) {
      frequency = v;
      return this;
    }

    public Builder partitionCounts(int[] v) {
      partitionCounts = v;
      return this;
    }

    public Builder partitionBatches(int[] v) {
      partitionBatches = v;
      return this;
    }

    public Builder trainingSeconds(double v) {
      trainingSeconds = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder mask(org.sparktrain.kernels.prune.PruningMask v) {
      mask = v;
      return this;
    }

    public TrainingState build() {
      if (runId == null || params == null || partitionCounts == null || partitionBatches == null) {
        throw new IllegalStateException("a training state needs runId, params, partitionCounts and partitionBatches");
      }
      return new TrainingState(runId, round, epoch, step, iteration, samples, params, updater, learningRate,
          rollbacks, frequency, partitionCounts, partitionBatches, trainingSeconds, seed, mask);
    }
  }
}
