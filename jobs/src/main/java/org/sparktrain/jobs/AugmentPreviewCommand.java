package org.sparktrain.jobs;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.output.RunOutput;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.image.ImageWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparktrain augment-preview}: a PNG grid, one row per example: the original, then
 * augmented variants exactly as training would draw them (epoch 0, copies 0..n-1, then epochs).
 */
@Command(name = "augment-preview", mixinStandardHelpOptions = true,
    description = "Write preview.png: training examples beside their augmented variants.")
final class AugmentPreviewCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config with augmentation.")
  String config;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for preview.png.")
  String output;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config override (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--examples", defaultValue = "8", description = "Rows (default ${DEFAULT-VALUE}).")
  int examples;

  @Option(names = "--variants", defaultValue = "7", description = "Augmented variants per row (default ${DEFAULT-VALUE}).")
  int variants;

  @Option(names = "--zoom", defaultValue = "3", description = "Pixels per image pixel (default ${DEFAULT-VALUE}).")
  int zoom;

  @Option(names = "--overwrite", description = "Write into a non-empty directory.")
  boolean overwrite;

  @Override
  public Integer call() {
    TrainConfig cfg = TrainCommand.loadConfig(config, overrides);
    Configuration conf = new Configuration();
    RunOutput.checkAvailable(output, overwrite, conf);
    ExampleBlock block = LocalExamples.first(cfg, examples, conf);
    BufferedImage grid = render(block, cfg.augmentation().pipeline(), cfg.seed(), Math.min(examples, block.count()),
        variants, zoom);
    Path file = new Path(output, "preview.png");
    try (OutputStream out = file.getFileSystem(conf).create(file, true)) {
      ImageWriter.png(grid, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    System.out.printf("wrote %s (%dx%d): %d examples, original + %d variants each%n", file, grid.getWidth(),
        grid.getHeight(), Math.min(examples, block.count()), variants);
    return ExitCodes.OK;
  }

  /** The grid: column 0 originals, then variants; a 2-pixel gap between cells. */
  static BufferedImage render(ExampleBlock block, AugmentationPipeline aug, long seed, int rows, int variants, int zoom) {
    int[] shape = block.shape();
    int h = shape[0];
    int w = shape.length > 1 ? shape[1] : 1;
    int c = shape.length > 2 ? shape[2] : 1;
    int cell = 2;
    BufferedImage grid = new BufferedImage((variants + 1) * (w * zoom + cell), rows * (h * zoom + cell),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    g.setColor(Color.DARK_GRAY);
    g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
    float[] x = new float[block.featureSize()];
    for (int r = 0; r < rows; r++) {
      for (int v = 0; v <= variants; v++) {
        block.copyFeatures(r, x, 0);
        if (v > 0) {
          int copy = (v - 1) % aug.copies();
          int epoch = (v - 1) / aug.copies();
          aug.apply(x, shape, seed, epoch, block.firstId() + r, copy);
        }
        g.drawImage(ImageWriter.fromFloats(x, 0, h, w, c), v * (w * zoom + cell), r * (h * zoom + cell), w * zoom,
            h * zoom, null);
      }
    }
    g.dispose();
    return grid;
  }
}
