package org.sparktrain.driver.train;

import org.sparktrain.kernels.augment.AugmentationPipeline;

/**
 * What the averaging loop needs to know, independent of how config is written.
 *
 * @param epochs passes over the data
 * @param batchSize minibatch size per replica
 * @param frequency how k is chosen
 * @param averageUpdater also average the optimiser state
 * @param seed drives the per-(epoch, partition) shuffles
 * @param shuffle reshuffle each partition every epoch
 * @param numClasses classes of the labels
 * @param augmentation applied to every example as minibatches are built (identity when none)
 * @param overlap run each round while the previous one is averaged; replicas apply every average
 *     one round late, correcting their own state ({@link org.sparktrain.kernels.train.OverlapCorrection})
 * @param overlapGain share of its outstanding deviation a replica removes per round when overlapped
 * @param stream train all rounds in one long-running task per partition that exchanges rounds with
 *     the driver through Spark's plugin RPC ({@link RoundStream}) instead of one Spark job per round
 * @param pruning what to prune and when, or null for no pruning
 */
public record AveragingSettings(int epochs, int batchSize, FrequencyPolicy frequency, boolean averageUpdater,
                                long seed, boolean shuffle, int numClasses, AugmentationPipeline augmentation,
                                boolean overlap, double overlapGain, boolean stream,
                                org.sparktrain.kernels.prune.PruningSpec pruning) {
  public AveragingSettings {
    if (overlap && stream) {
      throw new IllegalArgumentException("overlapped averaging runs one job per round; it cannot be streamed");
    }
    if (!(overlapGain > 0 && overlapGain <= 1)) {
      throw new IllegalArgumentException("overlap gain must be in (0, 1], got " + overlapGain);
    }
    if (epochs < 1 || batchSize < 1 || frequency.k() < 1) {
      throw new IllegalArgumentException("epochs, batch size and frequency must be >= 1, got " + epochs + ", "
          + batchSize + ", " + frequency.k());
    }
  }

  /** The default {@code averaging.overlap_gain}. */
  public static final double DEFAULT_GAIN = 0.5;

  /** The same settings with overlapped (true) or synchronous (false) averaging. */
  public AveragingSettings withOverlap(boolean on) {
    return toBuilder().overlap(on).build();
  }

  /** The same settings with streamed rounds (true) or one Spark job per round (false). */
  public AveragingSettings withStream(boolean on) {
    return toBuilder().stream(on).build();
  }

  /** The same settings with another overlap gain. */
  public AveragingSettings withOverlapGain(double gain) {
    return toBuilder().overlapGain(gain).build();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder().epochs(epochs).batchSize(batchSize).frequency(frequency).averageUpdater(averageUpdater)
        .seed(seed).shuffle(shuffle).numClasses(numClasses).augmentation(augmentation).overlap(overlap)
        .overlapGain(overlapGain).stream(stream).pruning(pruning);
  }

  /**
   * A builder with the defaults of {@code defaults.yaml}: 1 epoch, batch 64, k = 10 fixed, updater
   * state averaged, seed 42, shuffled, 10 classes, no augmentation, synchronous, one job per round.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link AveragingSettings}; the record's constructor validates. */
  public static final class Builder {
    private int epochs = 1;
    private int batchSize = 64;
    private FrequencyPolicy frequency = FrequencyPolicy.fixed(10);
    private boolean averageUpdater = true;
    private long seed = 42;
    private boolean shuffle = true;
    private int numClasses = 10;
    private AugmentationPipeline augmentation = AugmentationPipeline.none();
    private boolean overlap;
    private double overlapGain = DEFAULT_GAIN;
    private boolean stream;
    private org.sparktrain.kernels.prune.PruningSpec pruning;

    private Builder() {}

    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder frequency(FrequencyPolicy v) {
      frequency = v;
      return this;
    }

    /** A fixed averaging frequency k. */
    public Builder frequency(int k) {
      return frequency(FrequencyPolicy.fixed(k));
    }

    public Builder averageUpdater(boolean v) {
      averageUpdater = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder shuffle(boolean v) {
      shuffle = v;
      return this;
    }

    public Builder numClasses(int v) {
      numClasses = v;
      return this;
    }

    public Builder augmentation(AugmentationPipeline v) {
      augmentation = v;
      return this;
    }

    public Builder overlap(boolean v) {
      overlap = v;
      return this;
    }

    public Builder overlapGain(double v) {
      overlapGain = v;
      return this;
    }

    public Builder stream(boolean v) {
      stream = v;
      return this;
    }

    /** What to prune and when (null: nothing). */
    public Builder pruning(org.sparktrain.kernels.prune.PruningSpec v) {
      pruning = v;
      return this;
    }

    public AveragingSettings build() {
      return new AveragingSettings(epochs, batchSize, frequency, averageUpdater, seed, shuffle, numClasses,
          augmentation, overlap, overlapGain, stream, pruning);
    }
  }
}
