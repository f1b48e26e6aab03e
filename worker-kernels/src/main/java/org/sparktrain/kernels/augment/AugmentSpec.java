package org.sparktrain.kernels.augment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;

/**
 * One augmentation operation as written in config ({@code augmentation.ops[i]}). Parameters not
 * used by the type must be absent.
 *
 * @param type operation, one of {@link #TYPES}
 * @param p probability the operation is applied to an example, in [0, 1]
 * @param pad crop_pad: pixels of zero padding before the random crop
 * @param degrees rotate: maximum absolute angle
 * @param shift translate: maximum shift as a fraction of width/height
 * @param min scale: smallest factor; brightness_contrast: unused
 * @param max scale: largest factor
 * @param std gaussian_noise: standard deviation (pixel values are in [0, 1])
 * @param brightness brightness_contrast: maximum absolute brightness change
 * @param contrast brightness_contrast: maximum relative contrast change
 * @param size cutout: side of the erased square as a fraction of the image side
 * @param alpha elastic: displacement strength in pixels; mixup: Beta(alpha, alpha) parameter
 * @param sigma elastic: smoothing of the displacement field in pixels
 * @param rate feature_dropout: share of an example's features set to zero
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AugmentSpec(
    @JsonProperty("type") String type,
    @JsonProperty("p") Double p,
    @JsonProperty("pad") Integer pad,
    @JsonProperty("degrees") Double degrees,
    @JsonProperty("shift") Double shift,
    @JsonProperty("min") Double min,
    @JsonProperty("max") Double max,
    @JsonProperty("std") Double std,
    @JsonProperty("brightness") Double brightness,
    @JsonProperty("contrast") Double contrast,
    @JsonProperty("size") Double size,
    @JsonProperty("alpha") Double alpha,
    @JsonProperty("sigma") Double sigma,
    @JsonProperty("rate") Double rate) implements Serializable {

  /** Operation types. {@code mixup} mixes pairs of examples of one minibatch (labels mixed too). */
  public static final List<String> TYPES = List.of("crop_pad", "flip_h", "flip_v", "rotate", "translate", "scale",
      "gaussian_noise", "brightness_contrast", "cutout", "elastic", "mixup", "feature_noise", "feature_dropout");

  /** What works on any example, a table row included; the others need images ({@code [h, w]} or {@code [h, w, c]}). */
  public static final List<String> ANY_SHAPE = List.of("feature_noise", "feature_dropout", "mixup");

  /** A spec with only type and probability. */
  public static AugmentSpec of(String type, double p) {
    return new AugmentSpec(type, p, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** Probability, 1 when unset. */
  public double probability() {
    return p == null ? 1.0 : p;
  }

  static double or(Double v, double dflt) {
    return v == null ? dflt : v;
  }
}
