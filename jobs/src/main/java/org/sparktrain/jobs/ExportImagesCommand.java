package org.sparktrain.jobs;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.driver.output.RunOutput;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.image.ImageTree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparktrain export-images}: an IDX pair as an image-folder tree (root/&lt;class&gt;/&lt;id&gt;.png). */
@Command(name = "export-images", mixinStandardHelpOptions = true,
    description = "Write an IDX images/labels pair (e.g. Fashion-MNIST) as PNG files in class folders, "
        + "the layout data.format: folder reads.")
final class ExportImagesCommand implements Callable<Integer> {

  @Mixin
  IdxInputOptions idx;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Root of the tree to write.")
  String output;



  @Option(names = "--fashion-names", defaultValue = "true", negatable = true,
      description = "Name class folders with Fashion-MNIST's names (0-t-shirt, 1-trouser, ...).")
  boolean fashionNames;

  @Option(names = "--overwrite", description = "Write into a non-empty directory.")
  boolean overwrite;

  @Override
  public Integer call() {
    Configuration conf = new Configuration();
    RunOutput.checkAvailable(output, overwrite, conf);
    IdxDataSource.Checked c = IdxDataSource.check(idx.images, idx.labels, idx.classes, idx.limit, null, conf);
    ExampleBlock block = IdxDataSource.loadLocal(c, idx.classes, conf);
    int n = ImageTree.export(block, idx.classes, fashionNames ? ImageTree.FASHION_MNIST : null, output, conf);
    System.out.printf("wrote %,d images in %d class folders under %s%n", n, idx.classes, output);
    return ExitCodes.OK;
  }
}
