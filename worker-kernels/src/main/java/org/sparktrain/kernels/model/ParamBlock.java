package org.sparktrain.kernels.model;

import java.io.Serializable;

/**
 * One named block of a network's flat parameter vector: {@code params[offset, offset + length)}.
 * Pruning masks and per-layer reports are built from these.
 *
 * @param layer the layer's name (its index in a layer stack, its vertex name in a graph)
 * @param kind DL4J's parameter key within the layer: {@code W} (weights), {@code b} (bias),
 *     {@code RW} (recurrent weights), {@code Wq}/{@code Wk}/{@code Wv}/{@code Wo} (attention projections),
 *     {@code gain}, ...
 * @param offset position of the block's first value in the flat vector
 * @param length values in the block
 * @param shape the block's shape as DL4J holds it
 */
public record ParamBlock(String layer, String kind, long offset, long length, long[] shape) implements Serializable {
  /** Self-attention's query, key, value and output projections. */
  public static final java.util.Set<String> ATTENTION_WEIGHTS = java.util.Set.of("Wq", "Wk", "Wv", "Wo");

  /** Whether the block holds weights (W, RW, attention projections) rather than biases or normalisation parameters. */
  public boolean isWeight() {
    return "W".equals(kind) || "RW".equals(kind) || ATTENTION_WEIGHTS.contains(kind);
  }

  @Override
  public String toString() {
    return layer + "_" + kind + "[" + offset + ", +" + length + ")";
  }
}
