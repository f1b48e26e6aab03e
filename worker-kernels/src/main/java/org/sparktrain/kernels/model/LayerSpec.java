package org.sparktrain.kernels.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * One layer of a network as written in config ({@code model.layers[i]}).
 *
 * @param type {@code dense}, {@code conv}, {@code maxpool}, {@code lstm}, {@code simple_rnn} (recurrent: the
 *     example's first dimension is time), {@code self_attention} (multi-head dot-product self-attention over the
 *     time steps, DL4J's {@code SelfAttentionLayer} with input projections), {@code last_time_step} (the
 *     preceding recurrent layer's output at the last step), {@code global_avg_pool} (a sequence layer's output
 *     averaged over time) or {@code output}
 * @param units output units of a dense layer (output layers use the number of classes)
 * @param activation activation name (DL4J's {@code Activation}, lower case), e.g. relu, softmax
 * @param filters output channels of a conv layer
 * @param kernel square kernel size of conv and pooling layers
 * @param stride square stride of conv and pooling layers
 * @param loss loss of the output layer: mcxent (default) or negativeloglikelihood
 * @param heads attention heads of a self_attention layer (default 1; must divide {@code units})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LayerSpec(
    @JsonProperty("type") String type,
    @JsonProperty("units") Integer units,
    @JsonProperty("activation") String activation,
    @JsonProperty("filters") Integer filters,
    @JsonProperty("kernel") Integer kernel,
    @JsonProperty("stride") Integer stride,
    @JsonProperty("loss") String loss,
    @JsonProperty("heads") Integer heads) implements Serializable {

  /** A layer without attention heads. */
  public LayerSpec(String type, Integer units, String activation, Integer filters, Integer kernel, Integer stride,
      String loss) {
    this(type, units, activation, filters, kernel, stride, loss, null);
  }

  /** Layer types this version understands. */
  public static final java.util.List<String> TYPES = java.util.List.of("dense", "conv", "maxpool", "lstm",
      "simple_rnn", "self_attention", "last_time_step", "global_avg_pool", "output");

  /** Recurrent layer types (what {@code last_time_step} can follow). */
  public static final java.util.List<String> RECURRENT = java.util.List.of("lstm", "simple_rnn");

  /** Layer types that read and emit sequences: the recurrent ones and self-attention. */
  public static final java.util.List<String> SEQUENCE = java.util.List.of("lstm", "simple_rnn", "self_attention");

  /** Whether layers of {@code type} are recurrent ({@link #RECURRENT}). */
  public static boolean isRecurrent(String type) {
    return RECURRENT.contains(type);
  }

  /** Whether layers of {@code type} read and emit sequences ({@link #SEQUENCE}). */
  public static boolean isSequence(String type) {
    return SEQUENCE.contains(type);
  }

  public static LayerSpec dense(int units, String activation) {
    return new LayerSpec("dense", units, activation, null, null, null, null);
  }

  public static LayerSpec output(String activation) {
    return new LayerSpec("output", null, activation, null, null, null, null);
  }
}
