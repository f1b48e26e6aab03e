package org.sparktrain.kernels.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * The optimiser ({@code optimizer.*} in config).
 *
 * @param type adam, sgd, nesterovs (SGD with Nesterov momentum) or rmsprop
 * @param learningRate step size, &gt; 0
 * @param momentum momentum for nesterovs, in [0, 1)
 * @param weightDecay L2 weight decay coefficient, &gt;= 0 (0 = off)
 */
public record OptimizerSpec(
    @JsonProperty("type") String type,
    @JsonProperty("learning_rate") double learningRate,
    @JsonProperty("momentum") double momentum,
    @JsonProperty("weight_decay") double weightDecay) implements Serializable {

  /** Optimiser types this version understands. */
  public static final java.util.List<String> TYPES = java.util.List.of("adam", "sgd", "nesterovs", "rmsprop");
}
