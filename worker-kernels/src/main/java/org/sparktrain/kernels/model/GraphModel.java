package org.sparktrain.kernels.model;

import java.util.Map;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** A graph of layers and vertices (skip connections, several inputs or outputs): DL4J's {@link ComputationGraph}. */
public final class GraphModel extends Dl4jNetwork {
  private final ComputationGraph net;

  GraphModel(ModelSpec spec, float[] params) {
    super(spec);
    this.net = new ComputationGraph(spec.graph());
    if (params == null) {
      net.init();
    } else {
      requireLength(spec, spec.numParams(), params);
      net.init(Nd4j.createFromArray(params).reshape(1, params.length), false);
    }
    LayerHelpers.install(net);
  }

  /** Wraps an existing graph (e.g. one restored from a model file). */
  public GraphModel(ComputationGraph net) {
    super(ModelSpec.of(net.getConfiguration()));
    this.net = net;
    LayerHelpers.install(net);
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
  public void fit(MultiDataSet batch) {
    net.fit(batch);
  }

  @Override
  public void fit(org.nd4j.linalg.dataset.api.DataSet batch) {
    net.fit(batch);
  }

  @Override
  public double score() {
    return net.score();
  }

  @Override
  public INDArray[] output(INDArray... features) {
    return net.output(false, features);
  }

  @Override
  public void setLearningRate(double lr) {
    net.setLearningRate(lr);
  }

  @Override
  public double configuredLearningRate() {
    for (GraphVertex v : net.getVertices()) {
      if (v.hasLayer() && v.numParams() > 0) {
        Double lr = net.getLearningRate(v.getVertexName());
        if (lr != null) {
          return lr;
        }
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
    net.getConfiguration().setIterationCount(iteration);
  }

  @Override
  public void setEpochCount(int epoch) {
    net.getConfiguration().setEpochCount(epoch);
  }

  @Override
  Map<String, INDArray> paramTable() {
    return net.paramTable();
  }

  @Override
  public ComputationGraph dl4j() {
    return net;
  }

  @Override
  public String toString() {
    return "GraphModel[" + net.getVertices().length + " vertices, " + net.numParams() + " parameters]";
  }
}
