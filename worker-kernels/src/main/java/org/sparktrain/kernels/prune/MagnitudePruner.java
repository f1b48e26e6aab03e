package org.sparktrain.kernels.prune;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.kernels.model.ParamBlock;

/**
 * Magnitude pruning (Han et al. 2015): the weights of smallest absolute value are set to zero, either
 * under one threshold over every pruned block ({@link PruningSpec.Scope#GLOBAL}) or to the same
 * sparsity in each block ({@link PruningSpec.Scope#LAYER}). Biases and normalisation parameters are
 * never pruned. Masks only grow: what the previous mask pruned stays pruned, so the pruned count at a
 * sparsity s over n weights is exactly round(s·n) (ties broken by position, deterministically).
 */
public final class MagnitudePruner {
  private final List<ParamBlock> blocks;
  private final PruningSpec.Scope scope;

  /**
   * @param blocks the weight blocks to prune (see {@link #eligible})
   * @param scope global or per-layer thresholds
   */
  public MagnitudePruner(List<ParamBlock> blocks, PruningSpec.Scope scope) {
    this.blocks = List.copyOf(blocks);
    this.scope = scope;
  }

  /**
   * The weight blocks of {@code all} that belong to {@code layers} (every layer with weights when
   * empty); throws naming the first layer that has no weights.
   *
   * @param key the config key the layer names came from, for the message
   */
  public static List<ParamBlock> eligible(List<ParamBlock> all, List<String> layers, String key) {
    List<String> withWeights = all.stream().filter(ParamBlock::isWeight).map(ParamBlock::layer).distinct().toList();
    for (int i = 0; i < layers.size(); i++) {
      if (!withWeights.contains(layers.get(i))) {
        throw new IllegalArgumentException(key + "[" + i + "]: layer '" + layers.get(i) + "' has no weights to prune;"
            + " layers with weights: " + String.join(", ", withWeights));
      }
    }
    return all.stream().filter(ParamBlock::isWeight).filter(b -> layers.isEmpty() || layers.contains(b.layer()))
        .toList();
  }

  /** Weights the pruner considers. */
  public long weights() {
    return blocks.stream().mapToLong(ParamBlock::length).sum();
  }

  /** The blocks the pruner considers. */
  public List<ParamBlock> blocks() {
    return blocks;
  }

  /**
   * The mask at {@code sparsity} for {@code params}, containing {@code previous} (null: none).
   */
  public PruningMask mask(float[] params, double sparsity, PruningMask previous) {
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw new IllegalArgumentException("sparsity must lie in [0, 1), got " + sparsity);
    }
    long[] bits = previous == null ? new long[(int) ((params.length + 63L) >>> 6)] : previous.bits().clone();
    if (scope == PruningSpec.Scope.GLOBAL) {
      prune(params, blocks, sparsity, previous, bits);
    } else {
      for (ParamBlock b : blocks) {
        prune(params, List.of(b), sparsity, previous, bits);
      }
    }
    return PruningMask.ofBits(params.length, bits);
  }

  /**
   * Prunes round(sparsity x weights of {@code group}) of the group's weights: what {@code previous}
   * pruned, then the smallest magnitudes, ties by position. Finds the threshold by selection (linear
   * time), not by sorting: it runs on the driver between rounds.
   */
  private static void prune(float[] params, List<ParamBlock> group, double sparsity, PruningMask previous, long[] bits) {
    long n = group.stream().mapToLong(ParamBlock::length).sum();
    long want = Math.round(sparsity * n);
    int free = 0;
    float[] mags = new float[(int) n];
    for (ParamBlock b : group) {
      for (long i = b.offset(); i < b.offset() + b.length(); i++) {
        if (previous == null || !previous.isPruned(i)) {
          mags[free++] = Math.abs(params[(int) i]);
        }
      }
    }
    long extra = want - (n - free);
    if (extra <= 0) {
      return;
    }
    float t = select(Arrays.copyOf(mags, free), (int) extra - 1);
    long below = 0;
    for (int k = 0; k < free; k++) {
      if (mags[k] < t) {
        below++;
      }
    }
    long ties = extra - below; // weights at exactly the threshold to prune, first positions first
    for (ParamBlock b : group) {
      for (long i = b.offset(); i < b.offset() + b.length(); i++) {
        if (previous != null && previous.isPruned(i)) {
          continue;
        }
        float m = Math.abs(params[(int) i]);
        if (m < t || (m == t && ties-- > 0)) {
          bits[(int) (i >>> 6)] |= 1L << i;
        }
      }
    }
  }

  /** The k-th smallest value of {@code a} (0-based; reorders {@code a}): Hoare's quickselect. */
  static float select(float[] a, int k) {
    int lo = 0;
    int hi = a.length - 1;
    java.util.SplittableRandom rng = new java.util.SplittableRandom(a.length);
    while (lo < hi) {
      float pivot = a[lo + rng.nextInt(hi - lo + 1)];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float tmp = a[i];
          a[i] = a[j];
          a[j] = tmp;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return a[k];
      }
    }
    return a[k];
  }

  /** Exact zeros in one parameter block. */
  public record BlockZeros(ParamBlock block, long zeros) {
    public double sparsity() {
      return block.length() == 0 ? 0.0 : (double) zeros / block.length();
    }
  }

  /** Exact zeros of {@code params} in each of {@code blocks}. */
  public static List<BlockZeros> zeros(List<ParamBlock> blocks, float[] params) {
    List<BlockZeros> out = new java.util.ArrayList<>(blocks.size());
    for (ParamBlock b : blocks) {
      long zeros = 0;
      for (long i = b.offset(); i < b.offset() + b.length(); i++) {
        if (params[(int) i] == 0f) {
          zeros++;
        }
      }
      out.add(new BlockZeros(b, zeros));
    }
    return out;
  }

  /** Per-block report: name -> {values, zeros, sparsity}. */
  public static Map<String, Map<String, Object>> report(List<BlockZeros> zeros) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (BlockZeros z : zeros) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("values", z.block().length());
      m.put("zeros", z.zeros());
      m.put("sparsity", z.sparsity());
      out.put(z.block().layer() + "_" + z.block().kind(), m);
    }
    return out;
  }
}
