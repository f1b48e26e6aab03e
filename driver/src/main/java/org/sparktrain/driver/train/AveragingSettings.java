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
 */
public record AveragingSettings(int epochs, int batchSize, FrequencyPolicy frequency, boolean averageUpdater,
                                long seed, boolean shuffle, int numClasses, AugmentationPipeline augmentation,
                                boolean overlap, double overlapGain, boolean stream) {
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

  /** Synchronous averaging. */
  public AveragingSettings(int epochs, int batchSize, FrequencyPolicy frequency, boolean averageUpdater, long seed,
                           boolean shuffle, int numClasses, AugmentationPipeline augmentation) {
    this(epochs, batchSize, frequency, averageUpdater, seed, shuffle, numClasses, augmentation, false, DEFAULT_GAIN,
        false);
  }

  /** The default {@code averaging.overlap_gain}. */
  public static final double DEFAULT_GAIN = 0.5;

  /** The same settings with overlapped (true) or synchronous (false) averaging. */
  public AveragingSettings withOverlap(boolean on) {
    return new AveragingSettings(epochs, batchSize, frequency, averageUpdater, seed, shuffle, numClasses, augmentation,
        on, overlapGain, stream);
  }

  /** The same settings with streamed rounds (true) or one Spark job per round (false). */
  public AveragingSettings withStream(boolean on) {
    return new AveragingSettings(epochs, batchSize, frequency, averageUpdater, seed, shuffle, numClasses, augmentation,
        overlap, overlapGain, on);
  }

  /** The same settings with another overlap gain. */
  public AveragingSettings withOverlapGain(double gain) {
    return new AveragingSettings(epochs, batchSize, frequency, averageUpdater, seed, shuffle, numClasses, augmentation,
        overlap, gain, stream);
  }

  /** Fixed-k settings without augmentation. */
  public AveragingSettings(int epochs, int batchSize, int k, boolean averageUpdater, long seed, boolean shuffle,
                           int numClasses) {
    this(epochs, batchSize, FrequencyPolicy.fixed(k), averageUpdater, seed, shuffle, numClasses,
        AugmentationPipeline.none());
  }
}
