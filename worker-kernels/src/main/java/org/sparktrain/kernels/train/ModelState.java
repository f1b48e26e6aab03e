package org.sparktrain.kernels.train;

import java.io.Serializable;
import org.sparktrain.kernels.prune.PruningMask;

/**
 * What the driver broadcasts at the start of a round: the latest averaged parameters, optionally the
 * averaged updater state, the counters DL4J's updaters depend on (Adam's bias correction), and how
 * a replica that already holds state gets from there to the round's starting point.
 *
 * <p>Synchronous averaging broadcasts {@link Mode#RESET} every round: each replica starts from the
 * average. Overlapped averaging ({@code averaging.overlap}) runs round {@code r} while round
 * {@code r - 1} is still being averaged, so round {@code r} carries the average of round
 * {@code baseRound = r - 2} and each replica corrects its own state by the deviation from that
 * average it has not yet removed ({@link Mode#CORRECT}, see {@link OverlapCorrection}).
 *
 * @param params flat parameter vector in DL4J's order: the average of round {@code baseRound}
 * @param updaterState flat updater state, or null when not averaged or the optimiser has none
 * @param iteration iteration count each replica continues from
 * @param epoch epoch count
 * @param mode what a replica does with the state it already holds
 * @param baseRound the round whose average {@code params} is (0: the initial parameters)
 * @param overlap whether replicas keep the per-round snapshots overlapped averaging corrects with
 * @param resetPartitions partitions whose replicas restart from {@code params} whatever the mode
 *     (left out of an average by the divergence guard)
 * @param gain share of its outstanding deviation a replica removes in a {@link Mode#CORRECT} round
 * @param mask the pruned weights every replica holds at zero after each update, or null
 */
public record ModelState(float[] params, float[] updaterState, int iteration, int epoch, Mode mode, int baseRound,
                         boolean overlap, int[] resetPartitions, float gain, PruningMask mask)
    implements Serializable {
  /** What a replica does with the state it already holds at the start of a round. */
  public enum Mode {
    /** Start from the broadcast parameters (and updater state, when given). */
    RESET,
    /** Keep training from its own state: no average is available yet. */
    CONTINUE,
    /** Keep its own progress but replace its deviation from the average of {@code baseRound}. */
    CORRECT
  }

  public ModelState {
    resetPartitions = resetPartitions == null ? new int[0] : resetPartitions.clone();
  }

  /** The synchronous round start: every replica starts from {@code params}. */
  public ModelState(float[] params, float[] updaterState, int iteration, int epoch) {
    this(params, updaterState, iteration, epoch, Mode.RESET, 0, false, null, 1f, null);
  }

  /** A round start without pruning. */
  public ModelState(float[] params, float[] updaterState, int iteration, int epoch, Mode mode, int baseRound,
                    boolean overlap, int[] resetPartitions, float gain) {
    this(params, updaterState, iteration, epoch, mode, baseRound, overlap, resetPartitions, gain, null);
  }

  /** Whether the replica of {@code partition} must restart from the broadcast parameters. */
  public boolean resets(int partition) {
    for (int p : resetPartitions) {
      if (p == partition) {
        return true;
      }
    }
    return false;
  }
}
