package org.sparktrain.kernels.model;

import java.util.Arrays;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Flat examples as sequences for recurrent layers: an example of {@code steps x features} values in
 * row-major order (an image's rows, a table's array of time steps) becomes {@code features x steps}
 * in DL4J's NCW layout, each row one time step. The backward pass applies the inverse, so the
 * gradient reaches the flat input unchanged in position. Stored in the network's JSON config, so a
 * saved model reloads with it.
 */
public final class RowsAsTimeSteps implements InputPreProcessor {
  private static final long serialVersionUID = 1L;
  private final int steps;
  private final int features;

  public RowsAsTimeSteps(@JsonProperty("steps") int steps, @JsonProperty("features") int features) {
    if (steps < 1 || features < 1) {
      throw new IllegalArgumentException("steps and features must be >= 1, got " + steps + " x " + features);
    }
    this.steps = steps;
    this.features = features;
  }

  public int getSteps() {
    return steps;
  }

  public int getFeatures() {
    return features;
  }

  @Override
  public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
    if (input.rank() != 2 || input.size(1) != (long) steps * features) {
      throw new IllegalArgumentException("expected examples of " + steps + " x " + features + " = "
          + ((long) steps * features) + " values, got shape " + Arrays.toString(input.shape()));
    }
    INDArray ncw = input.reshape('c', input.size(0), steps, features).permute(0, 2, 1);
    return workspaceMgr.dup(ArrayType.ACTIVATIONS, ncw, 'c');
  }

  @Override
  public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
    INDArray nwc = output.permute(0, 2, 1).dup('c');
    return workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, nwc.reshape('c', output.size(0), (long) steps * features));
  }

  @Override
  public RowsAsTimeSteps clone() {
    return new RowsAsTimeSteps(steps, features);
  }

  @Override
  public InputType getOutputType(InputType inputType) {
    return InputType.recurrent(features, steps);
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                        int minibatchSize) {
    return new Pair<>(maskArray, currentMaskState);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RowsAsTimeSteps r && r.steps == steps && r.features == features;
  }

  @Override
  public int hashCode() {
    return 31 * steps + features;
  }

  @Override
  public String toString() {
    return "RowsAsTimeSteps(" + steps + " x " + features + ")";
  }
}
