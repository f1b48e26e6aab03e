package org.sparktrain.kernels.model;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.deeplearning4j.util.ModelSerializer;

/** Reads networks written by {@link Network#save} (DL4J's {@code ModelSerializer} format). */
public final class Networks {
  private Networks() {}

  /**
   * Restores a network of either kind, with its updater state when the file has one.
   *
   * @param name the file's name, for messages
   */
  public static Network restore(InputStream in, String name) throws IOException {
    byte[] bytes = in.readAllBytes();
    try {
      return new MultiLayerModel(ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), true));
    } catch (RuntimeException | IOException notAStack) {
      try {
        return new GraphModel(ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), true));
      } catch (RuntimeException | IOException e) {
        e.addSuppressed(notAStack);
        throw new IOException(name + ": not a DL4J model file (neither a MultiLayerNetwork nor a ComputationGraph): "
            + e.getMessage(), e);
      }
    }
  }
}
