package org.sparktrain.kernels.prune;

import java.io.Serializable;
import java.util.List;

/**
 * What to prune and when, as the {@code pruning:} config section says (validated there).
 *
 * @param method {@link Method#MAGNITUDE} (single weights) or {@link Method#STRUCTURED} (whole neurons /
 *     filters, rebuilt into a smaller network at the end)
 * @param scope magnitude: one threshold over every pruned layer, or the same sparsity in each layer
 * @param schedule prune once at {@code start}, or gradually from {@code start} to {@code end}
 * @param initialSparsity gradual: sparsity at {@code start} (Zhu and Gupta's s_i)
 * @param targetSparsity the final sparsity (s_f), in [0, 1)
 * @param start when pruning begins, as a fraction of the run's minibatch steps
 * @param end gradual: when the target is reached, as a fraction of the run's steps; later steps fine-tune
 * @param everySteps gradual: minibatch steps between two mask updates (Zhu and Gupta's Δt)
 * @param layers names of the layers to prune (their index in a layer stack); empty: every layer with weights
 * @param norm structured: the norm of a unit's incoming weights that ranks it
 */
public record PruningSpec(Method method, Scope scope, Schedule schedule, double initialSparsity,
                          double targetSparsity, double start, double end, int everySteps, List<String> layers,
                          StructuredPruner.Norm norm)
    implements Serializable {
  /** How weights are chosen. */
  public enum Method { MAGNITUDE, STRUCTURED }

  /** Where the magnitude threshold applies. */
  public enum Scope { GLOBAL, LAYER }

  /** When the sparsity rises. */
  public enum Schedule { ONE_SHOT, GRADUAL }

  public PruningSpec {
    layers = layers == null ? List.of() : List.copyOf(layers);
    norm = norm == null ? StructuredPruner.Norm.L2 : norm;
  }

  /** The schedule in steps, for a run of {@code totalSteps} minibatch steps per replica. */
  public SparsitySchedule scheduleFor(long totalSteps) {
    long begin = Math.round(start * totalSteps);
    long finish = schedule == Schedule.ONE_SHOT ? begin : Math.max(begin, Math.round(end * totalSteps));
    return new SparsitySchedule(schedule == Schedule.ONE_SHOT ? targetSparsity : initialSparsity, targetSparsity,
        begin, finish, Math.max(1, everySteps));
  }
}
