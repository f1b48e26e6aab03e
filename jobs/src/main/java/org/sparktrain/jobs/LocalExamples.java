package org.sparktrain.jobs;

import org.apache.hadoop.conf.Configuration;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.driver.data.ImageFolderSource;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.image.ImageDecoder;

/** The first training examples of a config, loaded in this process (IDX or image folders). */
final class LocalExamples {
  private LocalExamples() {}

  /** Up to {@code n} examples (0 = all); undecodable image files are skipped. */
  static ExampleBlock first(TrainConfig cfg, int n, Configuration conf) {
    TrainConfig.Data d = cfg.data();
    if (d.folders()) {
      ImageDecoder dec = new ImageDecoder(d.image().height(), d.image().width(), d.image().channels());
      return ImageFolderSource.load(null, d.train().folder(), dec, d.numClasses(), 0, n, true, conf).local();
    }
    return IdxDataSource.loadLocal(IdxDataSource.check(d.train().images(), d.train().labels(), d.numClasses(), n,
        null, conf), d.numClasses(), conf);
  }
}
