package org.sparktrain.kernels.prune;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.UpdaterSegment;

/**
 * Holds a network's pruned weights at zero: after every update it multiplies the flat parameters and
 * the flat updater state by 0/1 arrays built once per mask, so a pruned weight and its optimiser
 * state (Adam's moments) stay exactly zero, and averages of zeros stay zero.
 */
public final class MaskApplier {
  private final PruningMask mask;
  private final INDArray keepParams;
  private final INDArray keepState;

  /** The keep arrays of {@code mask} for {@code net}'s parameter and updater layout. */
  public MaskApplier(PruningMask mask, Network net) {
    if (mask.length() != net.numParams()) {
      throw new IllegalArgumentException("the pruning mask covers " + mask.length() + " parameters, the model has "
          + net.numParams());
    }
    this.mask = mask;
    float[] keep = new float[(int) mask.length()];
    java.util.Arrays.fill(keep, 1f);
    mask.zero(keep);
    this.keepParams = Nd4j.createFromArray(keep).reshape(net.params().shape()).castTo(net.params().dataType());
    INDArray state = net.updaterState();
    if (state == null || state.length() == 0) {
      keepState = null;
    } else {
      float[] ks = stateKeep(mask, net.updaterSegments(), state.length());
      keepState = Nd4j.createFromArray(ks).reshape(state.shape()).castTo(state.dataType());
    }
  }

  /** The mask applied. */
  public PruningMask mask() {
    return mask;
  }

  /** Zeroes the pruned parameters and their updater state in {@code net} (in place). */
  public void apply(Network net) {
    net.params().muli(keepParams);
    if (keepState != null) {
      INDArray s = net.updaterState();
      if (s != null) {
        s.muli(keepState);
      }
    }
  }

  /** Zeroes the updater-state values of pruned parameters in a flat copy of the updater state (in place). */
  public static float[] zeroState(PruningMask mask, List<UpdaterSegment> segments, float[] state) {
    float[] keep = stateKeep(mask, segments, state.length);
    for (int i = 0; i < state.length; i++) {
      if (keep[i] == 0f) {
        state[i] = 0f;
      }
    }
    return state;
  }

  private static float[] stateKeep(PruningMask mask, List<UpdaterSegment> segments, long stateLength) {
    float[] ks = new float[(int) stateLength];
    java.util.Arrays.fill(ks, 1f);
    for (UpdaterSegment seg : segments) {
      if (seg.stateOffset() + seg.stateLength() > stateLength) {
        throw new IllegalStateException("updater segment " + seg + " lies outside the state of " + stateLength);
      }
      for (long i = 0; i < seg.paramLength(); i++) {
        if (mask.isPruned(seg.paramOffset() + i)) {
          for (int c = 0; c < seg.copies(); c++) {
            ks[(int) (seg.stateOffset() + c * seg.paramLength() + i)] = 0f;
          }
        }
      }
    }
    return ks;
  }
}
