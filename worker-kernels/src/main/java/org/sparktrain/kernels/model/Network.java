package org.sparktrain.kernels.model;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * One trainable network, whatever DL4J type is behind it ({@code MultiLayerNetwork} or
 * {@code ComputationGraph}). Averaging works on the two flat views every DL4J network keeps: its
 * parameters and its updater state; everything else (engines, evaluator, checkpoints, outputs) goes
 * through this interface.
 */
public interface Network {
  /** What the network was built from. */
  ModelSpec spec();

  /** The flat parameter vector, a live view: writing it changes the network. */
  INDArray params();

  /** The flat updater (optimiser) state, a live view, or null when the optimiser keeps none. */
  INDArray updaterState();

  /** Number of parameters. */
  default long numParams() {
    return params().length();
  }

  /** One optimisation step on a minibatch with several inputs or outputs (features, labels, optional masks). */
  void fit(MultiDataSet batch);

  /** One optimisation step on a minibatch of one input and one output (features, labels, optional masks). */
  void fit(org.nd4j.linalg.dataset.api.DataSet batch);

  /** The loss of the last {@link #fit} (including regularisation). */
  double score();

  /** Inference: the network's outputs for {@code features} (one array per input). */
  INDArray[] output(INDArray... features);

  /** Switches every layer to learning rate {@code lr}. */
  void setLearningRate(double lr);

  /** The learning rate of the first layer that has one, or NaN. */
  double configuredLearningRate();

  /** DL4J's iteration counter (Adam's bias correction depends on it). */
  int iterationCount();

  void setIterationCount(int iteration);

  void setEpochCount(int epoch);

  /** The parameter blocks (per layer: weights, biases, recurrent weights, ...) as slices of {@link #params}. */
  List<ParamBlock> parameterBlocks();

  /**
   * How the updater state lines up with the parameters, one segment per DL4J updater block (empty
   * when the optimiser keeps no state).
   */
  List<UpdaterSegment> updaterSegments();

  /** Writes the network (and its updater state when asked) in DL4J's {@code ModelSerializer} format. */
  void save(OutputStream out, boolean withUpdater) throws IOException;

  /** The DL4J network itself, for code that needs DL4J's own API. */
  org.deeplearning4j.nn.api.Model dl4j();
}
