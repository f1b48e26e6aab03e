package org.sparktrain.kernels.model;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What both DL4J network types share: the flat views, serialisation and the parameter blocks. */
abstract class Dl4jNetwork implements Network {
  private final ModelSpec spec;
  private List<ParamBlock> blocks;

  Dl4jNetwork(ModelSpec spec) {
    this.spec = spec;
  }

  @Override
  public ModelSpec spec() {
    return spec;
  }

  @Override
  public void save(OutputStream out, boolean withUpdater) throws IOException {
    ModelSerializer.writeModel(dl4j(), out, withUpdater);
  }

  /** DL4J's parameter table: "layer_kind" -> a view into the flat parameters. */
  abstract Map<String, INDArray> paramTable();

  @Override
  public synchronized List<ParamBlock> parameterBlocks() {
    if (blocks == null) {
      INDArray flat = params();
      List<ParamBlock> out = new ArrayList<>();
      for (Map.Entry<String, INDArray> e : paramTable().entrySet()) {
        String key = e.getKey();
        int cut = key.lastIndexOf('_');
        INDArray v = e.getValue();
        long offset = v.offset() - flat.offset();
        if (offset < 0 || offset + v.length() > flat.length()) {
          throw new IllegalStateException("parameter " + key + " is not a view of the flat parameters (offset "
              + offset + ", length " + v.length() + ", flat " + flat.length() + ")");
        }
        out.add(new ParamBlock(key.substring(0, cut), key.substring(cut + 1), offset, v.length(), v.shape()));
      }
      out.sort(java.util.Comparator.comparingLong(ParamBlock::offset));
      blocks = List.copyOf(out);
    }
    return blocks;
  }

  /** DL4J's updater (created when missing), or null when the network has none. */
  abstract org.deeplearning4j.nn.api.Updater updater();

  @Override
  public List<UpdaterSegment> updaterSegments() {
    INDArray state = updaterState();
    if (state == null || state.length() == 0) {
      return List.of();
    }
    if (!(updater() instanceof org.deeplearning4j.nn.updater.BaseMultiLayerUpdater<?> u)) {
      throw new IllegalStateException("updater " + updater().getClass().getName() + " does not expose its blocks");
    }
    List<UpdaterSegment> out = new ArrayList<>();
    for (org.deeplearning4j.nn.updater.UpdaterBlock b : u.getUpdaterBlocks()) {
      long n = b.getParamOffsetEnd() - b.getParamOffsetStart();
      long values = b.getUpdaterViewOffsetEnd() - b.getUpdaterViewOffsetStart();
      if (n == 0 || values == 0) {
        continue;
      }
      if (values % n != 0) {
        throw new IllegalStateException("updater block over parameters [" + b.getParamOffsetStart() + ", "
            + b.getParamOffsetEnd() + ") keeps " + values + " state values, not a multiple of " + n);
      }
      out.add(new UpdaterSegment(b.getParamOffsetStart(), n, b.getUpdaterViewOffsetStart(), (int) (values / n)));
    }
    return List.copyOf(out);
  }

  static void requireLength(ModelSpec spec, long have, float[] given) {
    if (given != null && given.length != have) {
      throw new IllegalArgumentException("the model has " + have + " parameters, the vector given holds "
          + given.length);
    }
  }
}
