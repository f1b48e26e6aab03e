package org.sparktrain.driver.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * The averaging loop's state between rounds: the averaged state after the last completed round
 * ({@code round}, {@code params}, {@code updater}, {@code samples}) and the planning cursor
 * ({@code planned}, {@code epoch}, {@code step}, {@code iteration}), which runs ahead of it while
 * rounds are in flight. What a checkpoint saves ({@link #state}) and a resume restores.
 */
final class Cursor {
  float[] params;
  float[] updater;
  int round;
  int planned;
  int epoch;
  int step;
  int iteration;
  long samples;
  double learningRate = Double.NaN;
  int rollbacks;
  double priorSeconds;
  /** The weights held at zero (pruning), or null. */
  org.sparktrain.kernels.prune.PruningMask mask;

  Cursor(float[] params, float[] updater) {
    this.params = params;
    this.updater = updater;
  }

  /** Whether any round is left to plan (moves the cursor past finished epochs). */
  boolean hasNext(int steps, int epochs) {
    while (epoch < epochs && step >= steps) {
      epoch++;
      step = 0;
    }
    return epoch < epochs;
  }

  /** Plans the next round of {@code k} steps and moves the cursor past it. */
  PendingRound plan(int k, int steps, AveragingSettings set) {
    PendingRound f = new PendingRound();
    f.iteration = iteration;
    f.plan = new RoundPlan(++planned, epoch, step, k, set.batchSize(), set.seed(), set.shuffle(), set.numClasses(),
        learningRate);
    // the partition with the most minibatches trains min(k, what is left of its epoch)
    iteration += Math.min(k, steps - step);
    step += k;
    if (step >= steps) {
      epoch++;
      step = 0;
    }
    return f;
  }

  /** Moves the cursor back to where round {@code f} started (it and any later round are discarded). */
  void rewind(PendingRound f) {
    planned = f.round() - 1;
    epoch = f.plan.epoch();
    step = f.plan.firstStep();
    iteration = f.iteration;
  }

  /** Steps left to plan. */
  int remainingSteps(int steps, int epochs) {
    return (epoch >= epochs ? 0 : steps - step) + Math.max(0, epochs - epoch - 1) * steps;
  }

  /** A cursor continuing a checkpointed state, after checking it fits this run. */
  static Cursor resumed(TrainingState r, Network net, INDArray updaterView, int[] counts, FrequencyController k,
                        long seed) {
    if (r.params().length != net.numParams()) {
      throw new IllegalArgumentException("checkpoint holds " + r.params().length + " parameters, the model has "
          + net.numParams());
    }
    if ((r.updater() == null) != (updaterView == null)
        || (r.updater() != null && r.updater().length != updaterView.length())) {
      throw new IllegalArgumentException("checkpoint's updater state ("
          + (r.updater() == null ? "none" : r.updater().length + " values") + ") does not fit this run's ("
          + (updaterView == null ? "none" : updaterView.length() + " values") + ")");
    }
    if (r.seed() != seed) {
      throw new IllegalArgumentException("checkpoint was written with seed " + r.seed() + ", this run has " + seed);
    }
    if (!java.util.Arrays.equals(r.partitionCounts(), counts)) {
      throw new IllegalArgumentException("checkpoint was written for partitions of "
          + java.util.Arrays.toString(r.partitionCounts()) + " examples, this run has "
          + java.util.Arrays.toString(counts));
    }
    Cursor s = new Cursor(r.params().clone(), r.updater() == null ? null : r.updater().clone());
    s.round = r.round();
    s.planned = r.round();
    s.epoch = r.epoch();
    s.step = r.step();
    s.iteration = r.iteration();
    s.samples = r.samples();
    s.learningRate = r.learningRate();
    s.rollbacks = r.rollbacks();
    s.priorSeconds = r.trainingSeconds();
    if (r.mask() != null && r.mask().length() != r.params().length) {
      throw new IllegalArgumentException("checkpoint's pruning mask covers " + r.mask().length()
          + " parameters, its parameters are " + r.params().length);
    }
    s.mask = r.mask();
    if (r.frequency() != null) {
      k.restore(r.frequency());
    }
    return s;
  }

  /** The state a checkpoint holds. */
  TrainingState state(String runId, FrequencyController.Snapshot k, int[] counts, int[] batches, double seconds,
                      long seed) {
    return TrainingState.builder().runId(runId).round(round).epoch(epoch).step(step).iteration(iteration)
        .samples(samples).params(params).updater(updater).learningRate(learningRate).rollbacks(rollbacks)
        .frequency(k).partitionCounts(counts.clone()).partitionBatches(batches).trainingSeconds(seconds).seed(seed)
        .mask(mask).build();
  }
}
