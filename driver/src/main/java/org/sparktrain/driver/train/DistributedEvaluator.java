package org.sparktrain.driver.train;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.Minibatches;

/** Classification metrics of a network over a distributed dataset, computed on the executors. */
public final class DistributedEvaluator {
  private DistributedEvaluator() {}

  /** Evaluates {@code net} on every example of {@code data}. */
  public static Evaluation evaluate(JavaSparkContext sc, Network net, DistributedDataset data, int numClasses,
                                    int batchSize) {
    Broadcast<float[]> params = sc.broadcast(FloatArrays.flat(net.params()));
    try {
      return data.blocks()
          .mapPartitions(new EvaluatePartition(net.spec(), params, numClasses, batchSize))
          .reduce((a, b) -> {
            a.merge(b);
            return a;
          });
    } finally {
      params.destroy(false);
    }
  }

  /** Evaluates one partition with a network rebuilt from its spec and the broadcast parameters. */
  static final class EvaluatePartition implements FlatMapFunction<Iterator<ExampleBlock>, Evaluation> {
    private static final long serialVersionUID = 2L;
    private final ModelSpec spec;
    private final Broadcast<float[]> params;
    private final int numClasses;
    private final int batchSize;

    EvaluatePartition(ModelSpec spec, Broadcast<float[]> params, int numClasses, int batchSize) {
      this.spec = spec;
      this.params = params;
      this.numClasses = numClasses;
      this.batchSize = batchSize;
    }

    @Override
    public Iterator<Evaluation> call(Iterator<ExampleBlock> blocks) {
      Evaluation eval = new Evaluation(numClasses);
      if (!blocks.hasNext()) {
        return List.of(eval).iterator();
      }
      ExampleBlock block = blocks.next();
      evaluateBlock(spec.build(params.value()), block, numClasses, batchSize, eval);
      return List.of(eval).iterator();
    }
  }

  /** Adds every example of {@code block} to {@code eval}. */
  public static void evaluateBlock(Network net, ExampleBlock block, int numClasses, int batchSize, Evaluation eval) {
    for (int from = 0; from < block.count(); from += batchSize) {
      int to = Math.min(block.count(), from + batchSize);
      int[] idx = new int[to - from];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = from + i;
      }
      DataSet ds = Minibatches.dataSet(block, idx, numClasses);
      eval.eval(ds.getLabels(), net.output(ds.getFeatures())[0], ds.getLabelsMaskArray());
    }
  }
}
