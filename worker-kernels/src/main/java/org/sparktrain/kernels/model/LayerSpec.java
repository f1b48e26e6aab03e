package org.sparktrain.kernels.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * One layer of a network as written in config ({@code model.layers[i]}).
 *
 * @param type {@code dense}, {@code conv}, {@code maxpool}, {@code lstm}, {@code simple_rnn} (recurrent: the
 *     example's first dimension is time), {@code last_time_step} (the preceding recurrent layer's output at the
 *     last step) or {@code output}
 * @param units output units of a dense layer (output layers use the number of classes)
 * @param activation activation name (DL4J's {@code Activation}, lower case), e.g. relu, softmax
 * @param filters output channels of a conv layer
 * @param kernel square kernel size of conv and pooling layers
 * @param stride square stride of conv and pooling layers
 * @param loss loss of the output layer: mcxent (default) or negativeloglikelihood
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LayerSpec(
    @JsonProperty("type") String type,
    @JsonProperty("units") Integer units,
    @JsonProperty("activation") String activation,
    @JsonProperty("filters") Integer filters,
    @JsonProperty("kernel") Integer kernel,
    @JsonProperty("stride") Integer stride,
    @JsonProperty("loss") String loss) implements Serializable {

  /** Layer types this version understands. */
  public static final java.util.List<String> TYPES = java.util.List.of("dense", "conv", "maxpool", "lstm",
      "simple_rnn", "last_time_step", "output");

  /** Layer types that read and emit sequences. */
  public static final java.util.List<String> RECURRENT = java.util.List.of("lstm", "simple_rnn");

  /** Whether layers of {@code type} are recurrent ({@link #RECURRENT}). */
  public static boolean isRecurrent(String type) {
    return RECURRENT.contains(type);
  }

  public static LayerSpec dense(int units, String activation) {
    return new LayerSpec("dense", units, activation, null, null, null, null);
  }

  public static LayerSpec output(String activation) {
    return new LayerSpec("output", null, activation, null, null, null, null);
  }
}
