package org.sparktrain.driver.train;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The trained network and how training went.
 *
 * @param network final averaged network (on the driver)
 * @param rounds per-round statistics
 * @param trainSamples examples trained over all epochs and replicas
 * @param wallSeconds wall time of the training loop
 */
public record TrainingResult(MultiLayerNetwork network, List<RoundStats> rounds, long trainSamples,
                             double wallSeconds) {
  /** Training throughput over the whole loop. */
  public double samplesPerSecond() {
    return wallSeconds > 0 ? trainSamples / wallSeconds : 0;
  }
}
