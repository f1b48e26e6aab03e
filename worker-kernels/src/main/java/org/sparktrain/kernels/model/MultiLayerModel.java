package org.sparktrain.kernels.model;

import java.util.Map;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** A layer stack: DL4J's {@link MultiLayerNetwork}. */
public final class MultiLayerModel extends Dl4jNetwork {
  private final MultiLayerNetwork net;

  MultiLayerModel(ModelSpec spec, float[] params) {
    super(spec);
    this.net = new MultiLayerNetwork(spec.multiLayer());
    if (params == null) {
      net.init();
    } else {
      requireLength(spec, spec.numParams(), params);
      net.init(Nd4j.createFromArray(params).reshape(1, params.length), false);
    }
    LayerHelpers.install(net);
  }

  /** Wraps an existing network (e.g. one restored from a model file). */
  public MultiLayerModel(MultiLayerNetwork net) {
    super(ModelSpec.of(net.getLayerWiseConfigurations()));
    this.net = net;
    LayerHelpers.install(net);
  }

  /** The DL4J network. */
  public MultiLayerNetwork network() {
    return net;
  }

  @Override
  public INDArray params() {
    return net.params();
  }

  @Override
  public INDArray updaterState() {
    Updater u = updater();
    return u == null ? null : u.getStateViewArray();
  }

  @Override
  Updater updater() {
    return net.getUpdater(true);
  }

  @Override
  public void fit(org.nd4j.linalg.dataset.api.DataSet batch) {
    net.fit(batch);
  }

  @Override
  public void fit(MultiDataSet batch) {
    if (batch.numFeatureArrays() != 1 || batch.numLabelsArrays() != 1) {
      throw new IllegalArgumentException("a layer stack takes one features and one labels array, got "
          + batch.numFeatureArrays() + " and " + batch.numLabelsArrays());
    }
    net.fit(new DataSet(batch.getFeatures(0), batch.getLabels(0), batch.getFeaturesMaskArray(0),
        batch.getLabelsMaskArray(0)));
  }

  @Override
  public double score() {
    return net.score();
  }

  @Override
  public INDArray[] output(INDArray... features) {
    if (features.length != 1) {
      throw new IllegalArgumentException("a layer stack takes one input, got " + features.length);
    }
    return new INDArray[] {net.output(features[0], false)};
  }

  @Override
  public void setLearningRate(double lr) {
    net.setLearningRate(lr);
  }

  @Override
  public double configuredLearningRate() {
    for (int i = 0; i < net.getnLayers(); i++) {
      Double lr = net.getLearningRate(i);
      if (lr != null) {
        return lr;
      }
    }
    return Double.NaN;
  }

  @Override
  public int iterationCount() {
    return net.getIterationCount();
  }

  @Override
  public void setIterationCount(int iteration) {
    net.setIterationCount(iteration);
  }

  @Override
  public void setEpochCount(int epoch) {
    net.setEpochCount(epoch);
  }

  @Override
  Map<String, INDArray> paramTable() {
    return net.paramTable();
  }

  @Override
  public MultiLayerNetwork dl4j() {
    return net;
  }

  @Override
  public String toString() {
    return "MultiLayerModel[" + net.getnLayers() + " layers, " + net.numParams() + " parameters]";
  }
}
