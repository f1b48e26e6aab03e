package org.sparktrain.kernels.model;

import java.io.Serializable;

/**
 * Where one DL4J updater block keeps its state for a range of parameters: parameters
 * {@code [paramOffset, paramOffset + paramLength)} own the state values
 * {@code stateOffset + c * paramLength + i} for each of the block's {@code copies} (Adam: two, its
 * first and second moments; Nesterov momentum: one). Pruning uses it to zero the optimiser state of
 * pruned weights.
 */
public record UpdaterSegment(long paramOffset, long paramLength, long stateOffset, int copies) implements Serializable {
  /** State values of the segment. */
  public long stateLength() {
    return paramLength * copies;
  }
}
