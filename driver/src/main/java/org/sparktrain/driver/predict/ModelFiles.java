package org.sparktrain.driver.predict;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.data.FeatureSpec;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.Networks;

/**
 * A trained model as {@code predict} and {@code evaluate} load it from a run directory (or its
 * {@code model.zip}): the network, the feature spec it was trained with ({@code features.json}) and
 * the run's {@code config.yaml}.
 *
 * @param dir the run directory
 * @param network the restored network
 * @param spec how rows become its inputs
 * @param config the training config
 * @param sha256 SHA-256 of model.zip (recorded with predictions and evaluations)
 */
public record ModelFiles(String dir, Network network, FeatureSpec spec, TrainConfig config, String sha256) {

  /** Reads {@code model} (a run directory or its model.zip; any Hadoop path). */
  public static ModelFiles read(String model, Configuration hadoop) {
    Path given = new Path(model);
    Path dir = given.getName().endsWith(".zip") ? given.getParent() : given;
    Path zip = given.getName().endsWith(".zip") ? given : new Path(dir, "model.zip");
    try {
      FileSystem fs = zip.getFileSystem(hadoop);
      byte[] bytes = bytes(fs, zip);
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      Network net;
      try {
        net = Networks.restore(new java.io.ByteArrayInputStream(bytes), zip.toString());
      } catch (IOException | RuntimeException e) {
        throw new CorruptDataException(zip.toString(), "is not a DL4J model: " + e.getMessage(), e);
      }
      Path features = new Path(dir, "features.json");
      if (!fs.exists(features)) {
        throw new CorruptDataException(features.toString(), "does not exist: predict and evaluate read tables, so the "
            + "model must come from a run on tabular data (data.format parquet, csv, orc, json or table)");
      }
      FeatureSpec spec = FeatureSpec.fromJson(new String(bytes(fs, features), StandardCharsets.UTF_8),
          features.toString());
      Path cfg = new Path(dir, "config.yaml");
      TrainConfig config;
      try (InputStream in = fs.open(cfg)) {
        config = ConfigLoader.load(cfg.toString(), in, List.of());
      } catch (FileNotFoundException e) {
        throw new CorruptDataException(cfg.toString(), "does not exist: pass a run directory sparktrain wrote");
      }
      return new ModelFiles(dir.toString(), net, spec, config, sha);
    } catch (FileNotFoundException e) {
      throw new CorruptDataException(zip.toString(), "does not exist: pass a run directory or its model.zip");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + model + ": " + e.getMessage(), e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }
}
