package org.sparktrain.driver.data;

import java.io.Serializable;
import java.util.List;
import org.sparktrain.kernels.data.LabelKind;

/**
 * What a validated split holds, as the model and the engines need to know it.
 *
 * @param exampleShape shape of one example (sequences: {@code [time steps, features]})
 * @param labelKind what the labels are
 * @param numClasses classes of class labels (0 for other label kinds)
 * @param count examples the run uses
 * @param classes class names in index order, or an empty list when the source has none
 */
public record DataDescription(int[] exampleShape, LabelKind labelKind, int numClasses, long count,
                              List<String> classes) implements Serializable {
  public DataDescription {
    exampleShape = exampleShape.clone();
    classes = List.copyOf(classes);
  }
}
