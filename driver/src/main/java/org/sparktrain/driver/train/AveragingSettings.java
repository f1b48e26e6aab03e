package org.sparktrain.driver.train;

/**
 * What the averaging loop needs to know, independent of how config is written.
 *
 * @param epochs passes over the data
 * @param batchSize minibatch size per replica
 * @param frequency minibatches each replica trains between averages (k)
 * @param averageUpdater also average the optimiser state
 * @param seed drives the per-(epoch, partition) shuffles
 * @param shuffle reshuffle each partition every epoch
 * @param numClasses classes of the labels
 */
public record AveragingSettings(int epochs, int batchSize, int frequency, boolean averageUpdater, long seed,
                                boolean shuffle, int numClasses) {
  public AveragingSettings {
    if (epochs < 1 || batchSize < 1 || frequency < 1) {
      throw new IllegalArgumentException("epochs, batch size and frequency must be >= 1, got " + epochs + ", "
          + batchSize + ", " + frequency);
    }
  }
}
