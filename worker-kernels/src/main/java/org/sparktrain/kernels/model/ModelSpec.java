package org.sparktrain.kernels.model;

import java.io.Serializable;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;

/**
 * What a network is, in the form that travels to executors: which DL4J network type and its
 * configuration as JSON. Every replica builds the same network from it ({@link #build}); weights
 * travel separately, as flat float arrays.
 *
 * @param kind the DL4J network type
 * @param json the DL4J configuration's JSON ({@code MultiLayerConfiguration} or {@code ComputationGraphConfiguration})
 */
public record ModelSpec(Kind kind, String json) implements Serializable {
  /** The DL4J network types sparktrain trains. */
  public enum Kind {
    /** A layer stack: {@code MultiLayerNetwork}. */
    MULTI_LAYER,
    /** A directed acyclic graph of layers and vertices: {@code ComputationGraph}. */
    GRAPH
  }

  public ModelSpec {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(json, "json");
  }

  /** The spec of a layer stack. */
  public static ModelSpec of(MultiLayerConfiguration conf) {
    return new ModelSpec(Kind.MULTI_LAYER, conf.toJson());
  }

  /** The spec of a graph. */
  public static ModelSpec of(ComputationGraphConfiguration conf) {
    return new ModelSpec(Kind.GRAPH, conf.toJson());
  }

  /** The layer stack's configuration; fails for a graph. */
  public MultiLayerConfiguration multiLayer() {
    if (kind != Kind.MULTI_LAYER) {
      throw new IllegalStateException("the model is a " + kind + ", not a layer stack");
    }
    return MultiLayerConfiguration.fromJson(json);
  }

  /** The graph's configuration; fails for a layer stack. */
  public ComputationGraphConfiguration graph() {
    if (kind != Kind.GRAPH) {
      throw new IllegalStateException("the model is a " + kind + ", not a graph");
    }
    return ComputationGraphConfiguration.fromJson(json);
  }

  /** A freshly initialised network (weights drawn from the configuration's seed). */
  public Network build() {
    return kind == Kind.MULTI_LAYER ? new MultiLayerModel(this, null) : new GraphModel(this, null);
  }

  /** A network holding {@code params} (a flat vector in DL4J's order), for inference. */
  public Network build(float[] params) {
    return kind == Kind.MULTI_LAYER ? new MultiLayerModel(this, params) : new GraphModel(this, params);
  }

  /** Parameters of the network, counted without building it. */
  public long numParams() {
    if (kind == Kind.MULTI_LAYER) {
      return multiLayer().getConfs().stream().mapToLong(c -> c.getLayer().initializer().numParams(c)).sum();
    }
    ComputationGraphConfiguration g = graph();
    return g.getVertices().values().stream().mapToLong(v -> v.numParams(true)).sum();
  }

  @Override
  public String toString() {
    return "ModelSpec[" + kind + ", " + json.length() + " chars of JSON]";
  }
}
