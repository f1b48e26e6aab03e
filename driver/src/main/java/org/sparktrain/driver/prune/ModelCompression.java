package org.sparktrain.driver.prune;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.evaluation.classification.Evaluation;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.output.RunOutput;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.ParamBlock;
import org.sparktrain.kernels.prune.CompactModel;
import org.sparktrain.kernels.prune.Latency;
import org.sparktrain.kernels.prune.MagnitudePruner;
import org.sparktrain.kernels.prune.PruningMask;
import org.sparktrain.kernels.prune.PruningSpec;
import org.sparktrain.kernels.prune.StructuredPruner;
import org.sparktrain.kernels.train.FloatArrays;

/**
 * What a run reports and writes about the size of its model: per-block sparsity, non-zeros, bytes
 * on disk dense / sparse / int8, inference latency at batch 1 and 256 on this machine, and for
 * structured pruning the rebuilt smaller network ({@code model-structured.zip}) with its own
 * accuracy and latency.
 */
public final class ModelCompression {
  private ModelCompression() {}

  /** Forward passes timed at batch 1 and at batch 256. */
  static final int REPS_1 = 200;
  static final int REPS_256 = 30;

  /**
   * Checks {@code pruning.*} against {@code net} (built from the run's spec; null when pruning is
   * off) before any training: named layers must exist and have weights (structured: neurons or
   * filters), else a {@link ConfigException} naming the entry.
   */
  public static void check(TrainConfig c, Network net) {
    PruningSpec p = c.pruning().spec();
    if (p == null) {
      return;
    }
    try {
      if (p.method() == PruningSpec.Method.STRUCTURED) {
        StructuredPruner.of(net, p.layers(), p.norm());
      } else {
        MagnitudePruner.eligible(net.parameterBlocks(), p.layers(), "pruning.layers");
      }
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      int colon = m.indexOf(": ");
      throw new ConfigException(colon > 0 ? m.substring(0, colon) : "pruning", colon > 0 ? m.substring(colon + 2) : m);
    }
  }

  /**
   * The {@code model} section of metrics.json, writing the compact forms beside {@code model.zip}.
   *
   * @param modelZipBytes size of the written model.zip
   * @param features inputs per example (for the latency passes)
   * @param accuracy the trained network's test accuracy
   * @param evaluate test-set evaluation of another network (the int8 and structured variants)
   */
  public static Map<String, Object> report(TrainConfig c, Network net, PruningMask mask, long modelZipBytes,
                                           int features, double accuracy, Function<Network, Evaluation> evaluate,
                                           RunOutput out) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    float[] p = FloatArrays.flat(net.params());
    List<ParamBlock> blocks = net.parameterBlocks();
    List<MagnitudePruner.BlockZeros> perBlock = MagnitudePruner.zeros(blocks, p);
    long weights = 0;
    long zeroWeights = 0;
    long zeros = 0;
    for (MagnitudePruner.BlockZeros z : perBlock) {
      zeros += z.zeros();
      if (z.block().isWeight()) {
        weights += z.block().length();
        zeroWeights += z.zeros();
      }
    }
    m.put("parameters", p.length);
    m.put("nonzero_parameters", p.length - zeros);
    m.put("weights", weights);
    m.put("nonzero_weights", weights - zeroWeights);
    m.put("weight_sparsity", weights == 0 ? 0.0 : (double) zeroWeights / weights);
    m.put("weights_per_nonzero", weights - zeroWeights == 0 ? null : (double) weights / (weights - zeroWeights));
    m.put("blocks", MagnitudePruner.report(perBlock));
    if (mask != null) {
      m.put("mask_pruned", mask.prunedCount());
      m.put("mask_holds", mask.holdsIn(p));
    }
    Map<String, Object> bytes = new LinkedHashMap<>();
    bytes.put("model_zip", modelZipBytes);
    bytes.put("float32_parameters", 4L * p.length);
    if (mask != null || zeros > p.length / 4) {
      byte[] sparse = CompactModel.sparse(net);
      out.write("model-sparse.bin", o -> o.write(sparse));
      bytes.put("sparse", (long) sparse.length);
    }
    m.put("bytes", bytes);
    m.put("inference_ms", latency(net, features));
    if (c.output().int8()) {
      byte[] q = CompactModel.int8(net);
      out.write("model-int8.bin", o -> o.write(q));
      bytes.put("int8", (long) q.length);
      Network back = CompactModel.read(q, "model-int8.bin");
      double acc = evaluate.apply(back).accuracy();
      Map<String, Object> i8 = new LinkedHashMap<>();
      i8.put("bytes", (long) q.length);
      i8.put("float32_weight_bytes", 4 * weights);
      i8.put("int8_weight_bytes", int8WeightBytes(blocks));
      i8.put("weight_compression", (double) (4 * weights) / int8WeightBytes(blocks));
      i8.put("test_accuracy", acc);
      i8.put("accuracy_change_pp", 100 * (acc - accuracy));
      m.put("int8", i8);
    }
    PruningSpec spec = c.pruning().spec();
    if (spec != null && spec.method() == PruningSpec.Method.STRUCTURED && mask != null) {
      StructuredPruner sp = StructuredPruner.of(net, spec.layers(), spec.norm());
      Network small = sp.shrink(net, mask);
      java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
      small.save(zip, false);
      out.write("model-structured.zip", o -> o.write(zip.toByteArray()));
      double acc = evaluate.apply(small).accuracy();
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("units", sp.units());
      s.put("units_removed", sp.prunedUnits(mask));
      s.put("parameters", small.numParams());
      s.put("bytes_without_updater", (long) zip.size());
      s.put("test_accuracy", acc);
      s.put("accuracy_change_pp", 100 * (acc - accuracy));
      Map<String, Object> lat = latency(small, features);
      s.put("inference_ms", lat);
      @SuppressWarnings("unchecked")
      Map<String, Object> full = (Map<String, Object>) m.get("inference_ms");
      s.put("speedup_batch_256", (double) full.get("batch_256") / (double) lat.get("batch_256"));
      m.put("structured", s);
    }
    return m;
  }

  private static long int8WeightBytes(List<ParamBlock> blocks) {
    long n = 0;
    for (ParamBlock b : blocks) {
      if (b.isWeight()) {
        n += b.length() + 4L * CompactModel.channels(b);
      }
    }
    return n;
  }

  /** Median forward-pass milliseconds at batch 1 and 256. */
  public static Map<String, Object> latency(Network net, int features) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("batch_1", Latency.medianMillis(net, features, 1, 50, REPS_1));
    m.put("batch_256", Latency.medianMillis(net, features, 256, 5, REPS_256));
    return m;
  }
}
