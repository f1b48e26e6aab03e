package org.sparktrain.driver.train;

import java.util.List;
import java.util.Map;
import org.sparktrain.kernels.model.Network;

/**
 * The trained network and how training went.
 *
 * @param network final network (on the driver)
 * @param rounds per-round statistics (empty for engines that do not average in rounds)
 * @param trainSamples examples trained over all epochs and replicas
 * @param wallSeconds wall time of the training loop
 * @param engineInfo engine-specific figures for metrics.json (e.g. the chosen k)
 * @param mask the weights pruning held at zero (they are zero in {@code network}), or null
 */
public record TrainingResult(Network network, List<RoundStats> rounds, long trainSamples,
                             double wallSeconds, Map<String, Object> engineInfo,
                             org.sparktrain.kernels.prune.PruningMask mask) {
  /** A result of a run without pruning. */
  public TrainingResult(Network network, List<RoundStats> rounds, long trainSamples, double wallSeconds,
                        Map<String, Object> engineInfo) {
    this(network, rounds, trainSamples, wallSeconds, engineInfo, null);
  }

  /** Training throughput over the whole loop. */
  public double samplesPerSecond() {
    return wallSeconds > 0 ? trainSamples / wallSeconds : 0;
  }

  /** Share of round time not spent computing on the slowest replica; NaN without rounds. */
  public double syncFraction() {
    double total = rounds.stream().mapToDouble(RoundStats::seconds).sum();
    double sync = rounds.stream().mapToDouble(RoundStats::syncSeconds).sum();
    return total > 0 ? sync / total : Double.NaN;
  }

  /** Mean over rounds of (slowest - fastest replica busy time) / slowest; NaN without rounds. */
  public double stragglerSpread() {
    return rounds.stream().filter(r -> r.busySeconds() > 0)
        .mapToDouble(r -> (r.busySeconds() - r.fastestBusySeconds()) / r.busySeconds()).average().orElse(Double.NaN);
  }

  /** Mean k over rounds; NaN without rounds. */
  public double meanK() {
    return rounds.stream().mapToInt(RoundStats::k).average().orElse(Double.NaN);
  }
}
