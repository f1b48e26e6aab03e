package org.sparktrain.driver.train;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.UpdaterSegment;
import org.sparktrain.kernels.prune.MagnitudePruner;
import org.sparktrain.kernels.prune.MaskApplier;
import org.sparktrain.kernels.prune.PruningMask;
import org.sparktrain.kernels.prune.PruningSpec;
import org.sparktrain.kernels.prune.SparsitySchedule;
import org.sparktrain.kernels.prune.StructuredPruner;

/**
 * The driver's half of pruning during training: after each average it asks the schedule for the
 * sparsity due at the steps done so far and, when that moved, computes a larger mask from the
 * averaged parameters; the mask is zeroed into the average (and the averaged optimiser state) and
 * posted with every following round, so each replica holds the same weights at zero.
 */
final class PruningControl {
  private static final Logger LOG = LoggerFactory.getLogger(PruningControl.class);

  private final PruningSpec spec;
  private final SparsitySchedule schedule;
  private final MagnitudePruner magnitude;
  private final StructuredPruner structured;
  private final List<UpdaterSegment> segments;
  private final long weights;
  private double sparsity = -1;

  /** Throws {@link IllegalArgumentException} naming {@code pruning.layers[i]} when a layer has no weights. */
  PruningControl(PruningSpec spec, Network net, long totalSteps) {
    this.spec = spec;
    this.schedule = spec.scheduleFor(totalSteps);
    if (spec.method() == PruningSpec.Method.STRUCTURED) {
      this.structured = StructuredPruner.of(net, spec.layers(), spec.norm());
      this.magnitude = null;
      this.weights = structured.units();
    } else {
      this.magnitude = new MagnitudePruner(MagnitudePruner.eligible(net.parameterBlocks(), spec.layers(),
          "pruning.layers"), spec.scope());
      this.structured = null;
      this.weights = magnitude.weights();
    }
    this.segments = net.updaterSegments();
  }

  SparsitySchedule schedule() {
    return schedule;
  }

  /**
   * The mask in force after {@code steps} minibatch steps: {@code current} when the schedule has not
   * moved, else a new one containing it. {@code params} is the average it is computed from.
   */
  PruningMask update(long steps, float[] params, PruningMask current) {
    double due = schedule.at(steps);
    if (due == sparsity && current != null || due == 0) {
      sparsity = due;
      return current;
    }
    sparsity = due;
    PruningMask next = magnitude != null ? magnitude.mask(params, due, current) : structured.mask(params, due, current);
    if (!next.equals(current)) {
      LOG.info("pruning after step {}: sparsity {} ({} of {} {} pruned)", steps, String.format("%.4f", due),
          magnitude != null ? next.prunedCount() : structured.prunedUnits(next),
          weights, magnitude != null ? "weights" : "units");
    }
    return next;
  }

  /** Zeroes the optimiser state of pruned parameters in a copy of {@code updater} (null stays null). */
  float[] zeroState(PruningMask mask, float[] updater) {
    return updater == null || mask == null ? updater : MaskApplier.zeroState(mask, segments, updater.clone());
  }

  PruningSpec spec() {
    return spec;
  }
}
