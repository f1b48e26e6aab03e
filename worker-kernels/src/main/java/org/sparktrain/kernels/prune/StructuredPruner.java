package org.sparktrain.kernels.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.MultiLayerModel;
import org.sparktrain.kernels.model.Network;

/**
 * Structured pruning of a layer stack: whole neurons of dense layers, whole filters of convolution
 * layers and whole heads of self-attention layers, ranked by the L1 or L2 norm of their weights, the
 * same share in each pruned layer. During training a pruned neuron or filter is a mask over its
 * incoming weights and its bias, so its output is f(0) = 0 (only activations with f(0) = 0 are
 * allowed); a pruned head is a mask over its query, key and value projections and its rows of the
 * output projection, so it adds exactly nothing to the layer's output (its values are zero). {@link
 * #shrink} then rebuilds a physically smaller network without those units (the next layer's inputs
 * sliced to match; an attention layer keeps its width and loses heads) that DL4J loads as an ordinary
 * model and that computes the same outputs.
 */
public final class StructuredPruner {
  /** Norm that ranks units. */
  public enum Norm { L1, L2 }

  /** What a layer's units are. */
  private enum Unit { NEURON, FILTER, HEAD }

  /**
   * One prunable layer: its units' weights and biases in the flat parameter vector ({@code bias} is a
   * head's first query weight: attention layers have no biases, and a unit is pruned when that entry is).
   */
  private record Unitized(int layer, Unit kind, int units, long[][] incoming, long[] bias, int next) {
    boolean conv() {
      return kind == Unit.FILTER;
    }
  }

  private final List<Unitized> layers;
  private final Norm norm;
  private final long length;

  private StructuredPruner(List<Unitized> layers, Norm norm, long length) {
    this.layers = layers;
    this.norm = norm;
    this.length = length;
  }

  /**
   * The dense and convolution layers of {@code net} that can lose units (every one but the output
   * layer; only {@code names} when given), or an {@link IllegalArgumentException} naming the config
   * entry that cannot be pruned.
   */
  public static StructuredPruner of(Network net, List<String> names, Norm norm) {
    if (!(net.dl4j() instanceof MultiLayerNetwork mln)) {
      throw new IllegalArgumentException("pruning.method: structured pruning rebuilds layer stacks; this model is a "
          + net.dl4j().getClass().getSimpleName());
    }
    MultiLayerConfiguration conf = mln.getLayerWiseConfigurations();
    int n = conf.getConfs().size();
    List<String> prunable = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Layer l = conf.getConf(i).getLayer();
      if ((l instanceof DenseLayer || l instanceof ConvolutionLayer) && nextWeighted(conf, i) >= 0
          || l instanceof SelfAttentionLayer a && a.getNHeads() > 1 && a.isProjectInput()) {
        prunable.add(String.valueOf(i));
      }
    }
    for (int i = 0; i < names.size(); i++) {
      if (!prunable.contains(names.get(i))) {
        throw new IllegalArgumentException("pruning.layers[" + i + "]: layer '" + names.get(i) + "' has no neurons or "
            + "filters to remove (structured pruning takes dense and conv layers before the output, and attention "
            + "layers with 2 or more heads); prunable: "
            + String.join(", ", prunable));
      }
    }
    INDArray flat = mln.params();
    List<Unitized> out = new ArrayList<>();
    for (String name : names.isEmpty() ? prunable : names) {
      int i = Integer.parseInt(name);
      if (conf.getConf(i).getLayer() instanceof SelfAttentionLayer a) {
        out.add(heads(i, a, mln.getLayer(i).paramTable(), flat));
        continue;
      }
      BaseLayer l = (BaseLayer) conf.getConf(i).getLayer();
      String act = l.getActivationFn().toString().toLowerCase(java.util.Locale.ROOT);
      if (l.getActivationFn().getActivation(Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1), false)
          .getDouble(0) != 0) {
        throw new IllegalArgumentException("pruning.layers: structured pruning needs an activation with f(0) = 0 "
            + "(relu, tanh, identity, ...); layer " + i + " uses " + act);
      }
      Map<String, INDArray> p = mln.getLayer(i).paramTable();
      INDArray w = p.get("W");
      INDArray b = p.get("b");
      boolean conv = l instanceof ConvolutionLayer;
      int units = (int) (conv ? w.size(0) : w.size(1));
      long[][] incoming = new long[units][];
      long[] bias = new long[units];
      for (int u = 0; u < units; u++) {
        incoming[u] = conv ? offsets(w, flat, NDArrayIndex.point(u), NDArrayIndex.all(), NDArrayIndex.all(),
            NDArrayIndex.all()) : offsets(w, flat, NDArrayIndex.all(), NDArrayIndex.point(u));
        bias[u] = b.offset() - flat.offset() + (long) u * b.stride(b.rank() - 1);
      }
      out.add(new Unitized(i, conv ? Unit.FILTER : Unit.NEURON, units, incoming, bias, nextWeighted(conf, i)));
    }
    return new StructuredPruner(List.copyOf(out), norm, flat.length());
  }

  /**
   * An attention layer's heads: head h owns {@code Wq[h]}, {@code Wk[h]}, {@code Wv[h]} (each
   * [headSize, nIn]) and rows {@code h*headSize .. (h+1)*headSize} of {@code Wo} ([heads*headSize, nOut]).
   */
  private static Unitized heads(int i, SelfAttentionLayer a, Map<String, INDArray> p, INDArray flat) {
    int heads = a.getNHeads();
    long hs = a.getHeadSize();
    long[][] incoming = new long[heads][];
    long[] marker = new long[heads];
    for (int h = 0; h < heads; h++) {
      long[] q = offsets(p.get("Wq"), flat, NDArrayIndex.point(h), NDArrayIndex.all(), NDArrayIndex.all());
      long[] k = offsets(p.get("Wk"), flat, NDArrayIndex.point(h), NDArrayIndex.all(), NDArrayIndex.all());
      long[] v = offsets(p.get("Wv"), flat, NDArrayIndex.point(h), NDArrayIndex.all(), NDArrayIndex.all());
      long[] o = offsets(p.get("Wo"), flat, NDArrayIndex.interval(h * hs, (h + 1) * hs), NDArrayIndex.all());
      long[] all = new long[q.length + k.length + v.length + o.length];
      System.arraycopy(q, 0, all, 0, q.length);
      System.arraycopy(k, 0, all, q.length, k.length);
      System.arraycopy(v, 0, all, q.length + k.length, v.length);
      System.arraycopy(o, 0, all, q.length + k.length + v.length, o.length);
      incoming[h] = all;
      marker[h] = q[0];
    }
    return new Unitized(i, Unit.HEAD, heads, incoming, marker, -1);
  }

  /** The kept heads' projections: Wq/Wk/Wv along their first (head) axis, Wo's rows head block by block. */
  private static void copyHeads(Map<String, INDArray> from, Map<String, INDArray> to, int[] keep, long headSize) {
    for (String k : new String[] {"Wq", "Wk", "Wv"}) {
      to.get(k).assign(from.get(k).get(NDArrayIndex.indices(toLong(keep)), NDArrayIndex.all(), NDArrayIndex.all()));
    }
    long[] rows = inputs(keep, headSize);
    to.get("Wo").assign(from.get("Wo").get(NDArrayIndex.indices(rows), NDArrayIndex.all()));
  }

  /** The flat-vector positions of the elements of {@code view.get(idx)}. */
  private static long[] offsets(INDArray view, INDArray flat, INDArrayIndex... idx) {
    INDArray sub = view.get(idx);
    long[] shape = sub.shape();
    long[] stride = sub.stride();
    long total = sub.length();
    long[] out = new long[(int) total];
    long[] pos = new long[shape.length];
    for (int k = 0; k < total; k++) {
      long off = sub.offset() - flat.offset();
      for (int d = 0; d < shape.length; d++) {
        off += pos[d] * stride[d];
      }
      out[k] = off;
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++pos[d] < shape[d]) {
          break;
        }
        pos[d] = 0;
      }
    }
    return out;
  }

  /** The index of the next layer with weights after {@code i} (subsampling in between), or -1. */
  private static int nextWeighted(MultiLayerConfiguration conf, int i) {
    for (int j = i + 1; j < conf.getConfs().size(); j++) {
      Layer l = conf.getConf(j).getLayer();
      if (l instanceof DenseLayer || l instanceof ConvolutionLayer || l instanceof OutputLayer) {
        return j;
      }
      if (!(l instanceof SubsamplingLayer)) {
        return -1;
      }
    }
    return -1;
  }

  /** Units (neurons and filters) the pruner ranks. */
  public long units() {
    return layers.stream().mapToLong(Unitized::units).sum();
  }

  /** Units {@code mask} removes (a unit is removed when its bias is masked). */
  public long prunedUnits(PruningMask mask) {
    long c = 0;
    for (Unitized l : layers) {
      for (long b : l.bias()) {
        if (mask.isPruned(b)) {
          c++;
        }
      }
    }
    return c;
  }

  /**
   * The mask removing round(sparsity x units) of each layer's units (at least one unit stays),
   * smallest incoming-weight norm first, containing {@code previous}.
   */
  public PruningMask mask(float[] params, double sparsity, PruningMask previous) {
    if (params.length != length) {
      throw new IllegalArgumentException("the model has " + length + " parameters, the vector holds " + params.length);
    }
    boolean[] pruned = new boolean[params.length];
    if (previous != null) {
      for (int i = 0; i < pruned.length; i++) {
        pruned[i] = previous.isPruned(i);
      }
    }
    for (Unitized l : layers) {
      int want = (int) Math.min(l.units() - 1, Math.round(sparsity * l.units()));
      Integer[] order = new Integer[l.units()];
      double[] score = new double[l.units()];
      for (int u = 0; u < l.units(); u++) {
        order[u] = u;
        score[u] = previous != null && previous.isPruned(l.bias()[u]) ? -1 : norm(params, l.incoming()[u]);
      }
      Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[a], score[b]) : Integer.compare(a, b));
      for (int k = 0; k < want; k++) {
        int u = order[k];
        pruned[(int) l.bias()[u]] = true;
        for (long i : l.incoming()[u]) {
          pruned[(int) i] = true;
        }
      }
    }
    return PruningMask.of(pruned);
  }

  private double norm(float[] params, long[] idx) {
    double s = 0;
    for (long i : idx) {
      double v = params[(int) i];
      s += norm == Norm.L1 ? Math.abs(v) : v * v;
    }
    return s;
  }

  /**
   * A smaller network without the units {@code mask} removes: each pruned layer keeps its other
   * units, and the next weighted layer keeps only the inputs coming from them (for a convolution
   * flattened into a dense layer, each kept channel's height x width block). Outputs equal those of
   * {@code net} with the mask applied.
   */
  public Network shrink(Network net, PruningMask mask) {
    MultiLayerNetwork src = (MultiLayerNetwork) net.dl4j();
    MultiLayerConfiguration conf = src.getLayerWiseConfigurations().clone();
    int n = conf.getConfs().size();
    int[][] keepOut = new int[n][];
    int[][] keepIn = new int[n][];
    long[] spatial = new long[n];
    for (Unitized l : layers) {
      int[] keep = java.util.stream.IntStream.range(0, l.units()).filter(u -> !mask.isPruned(l.bias()[u])).toArray();
      keepOut[l.layer()] = keep;
      if (l.kind() == Unit.HEAD) {
        SelfAttentionLayer a = (SelfAttentionLayer) conf.getConf(l.layer()).getLayer();
        a.setNHeads(keep.length);
        // a SameDiff layer keeps its parameter shapes once defined (and the clone copied them): define them again
        org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams shapes =
            new org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams();
        a.defineParameters(shapes);
        a.setLayerParams(shapes);
        continue;
      }
      keepIn[l.next()] = keep;
      ((FeedForwardLayer) conf.getConf(l.layer()).getLayer()).setNOut(keep.length);
      FeedForwardLayer next = (FeedForwardLayer) conf.getConf(l.next()).getLayer();
      InputPreProcessor pre = conf.getInputPreProcess(l.next());
      if (l.conv() && pre instanceof CnnToFeedForwardPreProcessor c) {
        spatial[l.next()] = c.getInputHeight() * c.getInputWidth();
        c.setNumChannels(keep.length);
        next.setNIn(keep.length * spatial[l.next()]);
      } else {
        spatial[l.next()] = 1;
        next.setNIn(keep.length);
      }
      for (int j = l.layer() + 1; j < l.next(); j++) {
        InputPreProcessor between = conf.getInputPreProcess(j);
        if (between != null) {
          throw new IllegalArgumentException("cannot rebuild layer " + l.layer() + ": an input preprocessor ("
              + between.getClass().getSimpleName() + ") sits between it and layer " + l.next());
        }
      }
    }
    MultiLayerNetwork dst = new MultiLayerNetwork(conf);
    dst.init();
    float[] masked = mask.zero(org.sparktrain.kernels.train.FloatArrays.flat(src.params()));
    MultiLayerNetwork full = src.clone();
    org.sparktrain.kernels.train.FloatArrays.assign(full.params(), masked);
    for (int i = 0; i < n; i++) {
      Map<String, INDArray> from = full.getLayer(i).paramTable();
      Map<String, INDArray> to = dst.getLayer(i).paramTable();
      boolean conv = conf.getConf(i).getLayer() instanceof ConvolutionLayer;
      if (conf.getConf(i).getLayer() instanceof SelfAttentionLayer a && keepOut[i] != null) {
        copyHeads(from, to, keepOut[i], a.getHeadSize());
        continue;
      }
      for (Map.Entry<String, INDArray> e : from.entrySet()) {
        INDArray v = e.getValue();
        if ("W".equals(e.getKey())) {
          if (keepOut[i] != null) {
            v = conv ? v.get(NDArrayIndex.indices(toLong(keepOut[i])), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all()) : v.get(NDArrayIndex.all(), NDArrayIndex.indices(toLong(keepOut[i])));
          }
          if (keepIn[i] != null) {
            long[] rows = inputs(keepIn[i], spatial[i]);
            v = conv ? v.get(NDArrayIndex.all(), NDArrayIndex.indices(rows), NDArrayIndex.all(), NDArrayIndex.all())
                : v.get(NDArrayIndex.indices(rows), NDArrayIndex.all());
          }
        } else if ("b".equals(e.getKey()) && keepOut[i] != null) {
          v = v.get(NDArrayIndex.all(), NDArrayIndex.indices(toLong(keepOut[i])));
        }
        INDArray target = to.get(e.getKey());
        if (!Arrays.equals(target.shape(), v.shape())) {
          throw new IllegalStateException("layer " + i + " " + e.getKey() + ": rebuilt shape "
              + Arrays.toString(target.shape()) + ", sliced " + Arrays.toString(v.shape()));
        }
        target.assign(v);
      }
    }
    return new MultiLayerModel(dst);
  }

  /** Flattened input rows of the kept channels: channel c owns rows [c x spatial, (c + 1) x spatial). */
  private static long[] inputs(int[] keep, long spatial) {
    long[] rows = new long[(int) (keep.length * spatial)];
    int k = 0;
    for (int c : keep) {
      for (long s = 0; s < spatial; s++) {
        rows[k++] = c * spatial + s;
      }
    }
    return rows;
  }

  private static long[] toLong(int[] a) {
    return Arrays.stream(a).asLongStream().toArray();
  }
}
