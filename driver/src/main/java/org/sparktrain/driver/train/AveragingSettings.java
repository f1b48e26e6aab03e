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
 */
public record AveragingSettings(int epochs, int batchSize, FrequencyPolicy frequency, boolean averageUpdater,
                                long seed, boolean shuffle, int numClasses, AugmentationPipeline augmentation,
                                boolean overlap) {
  public AveragingSettings {
    if (epochs < 1 || batchSize < 1 || frequency.k() < 1) {
      throw new IllegalArgumentException("epochs, batch size and frequency must be >= 1, got " + epochs + ", "
          + batchSize + ", " + frequency.k());
    }
  }

  /** Synchronous averaging. */
  public AveragingSettings(int epochs, int batchSize, FrequencyPolicy frequency, boolean averageUpdater, long seed,
                           boolean shuffle, int numClasses, AugmentationPipeline augmentation) {
    this(epochs, batchSize, frequency, averageUpdater, seed, shuffle, numClasses, augmentation, false);
  }

  /** The same settings with overlapped (true) or synchronous (false) averaging. */
  public AveragingSettings withOverlap(boolean on) {
    return new AveragingSettings(epochs, batchSize, frequency, averageUpdater, seed, shuffle, numClasses, augmentation,
        on);
  }

  /** Fixed-k settings without augmentation. */
  public AveragingSettings(int epochs, int batchSize, int k, boolean averageUpdater, long seed, boolean shuffle,
                           int numClasses) {
    this(epochs, batchSize, FrequencyPolicy.fixed(k), averageUpdater, seed, shuffle, numClasses,
        AugmentationPipeline.none());
  }
}
