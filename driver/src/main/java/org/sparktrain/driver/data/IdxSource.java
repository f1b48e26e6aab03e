package org.sparktrain.driver.data;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.kernels.data.LabelKind;

/** A pair of IDX files (images, labels) as a {@link DataSource}. */
public final class IdxSource implements DataSource {
  private final String split;
  private final String images;
  private final String labels;
  private final int numClasses;
  private final int limit;
  private final int[] expectedShape;
  private final Configuration hadoop;
  private IdxDataSource.Checked checked;

  /**
   * @param split {@code train} or {@code test}: names the config keys in messages
   * @param expectedShape the shape examples must have (the training data's), or null
   */
  public IdxSource(String split, String images, String labels, int numClasses, int limit, int[] expectedShape,
                   Configuration hadoop) {
    this.split = split;
    this.images = images;
    this.labels = labels;
    this.numClasses = numClasses;
    this.limit = limit;
    this.expectedShape = expectedShape == null ? null : expectedShape.clone();
    this.hadoop = hadoop;
  }

  @Override
  public DataDescription validate() {
    if (checked == null) {
      checked = IdxDataSource.check(images, labels, numClasses, limit, expectedShape, hadoop);
    }
    return new DataDescription(checked.shape(), LabelKind.CLASS, numClasses, checked.count(), List.of());
  }

  @Override
  public Split load(JavaSparkContext sc, int partitions) {
    DataDescription d = validate();
    List<DataFile> files = List.of(checked.file(split, "images", checked.images()),
        checked.file(split, "labels", checked.labels()));
    if (sc == null) {
      return new Split(null, IdxDataSource.loadLocal(checked, numClasses, hadoop), d, files, List.of());
    }
    return new Split(IdxDataSource.load(sc, checked, numClasses, partitions), null, d, files, List.of());
  }
}
