package org.sparktrain.driver.train;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.Replica;

/** Classification metrics of a network over a distributed dataset, computed on the executors. */
public final class DistributedEvaluator {
  private DistributedEvaluator() {}

  /** Evaluates {@code net} on every example of {@code data}. */
  public static Evaluation evaluate(JavaSparkContext sc, MultiLayerNetwork net, DistributedDataset data,
                                    int numClasses, int batchSize) {
    Broadcast<float[]> params = sc.broadcast(FloatArrays.flat(net.params()));
    try {
      return data.blocks()
          .mapPartitions(new EvaluatePartition(net.getLayerWiseConfigurations().toJson(), params, numClasses,
              batchSize))
          .reduce((a, b) -> {
            a.merge(b);
            return a;
          });
    } finally {
      params.destroy(false);
    }
  }

  /** Evaluates one partition with a network rebuilt from JSON and the broadcast parameters. */
  static final class EvaluatePartition implements FlatMapFunction<Iterator<ExampleBlock>, Evaluation> {
    private static final long serialVersionUID = 1L;
    private final String confJson;
    private final Broadcast<float[]> params;
    private final int numClasses;
    private final int batchSize;

    EvaluatePartition(String confJson, Broadcast<float[]> params, int numClasses, int batchSize) {
      this.confJson = confJson;
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
      MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(confJson));
      net.init(Nd4j.createFromArray(params.value()).reshape(1, params.value().length), false);
      evaluateBlock(net, block, numClasses, batchSize, eval);
      return List.of(eval).iterator();
    }
  }

  /** Adds every example of {@code block} to {@code eval}. */
  public static void evaluateBlock(MultiLayerNetwork net, ExampleBlock block, int numClasses, int batchSize,
                                   Evaluation eval) {
    for (int from = 0; from < block.count(); from += batchSize) {
      int to = Math.min(block.count(), from + batchSize);
      int[] idx = new int[to - from];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = from + i;
      }
      DataSet ds = Replica.minibatch(block, idx, numClasses);
      eval.eval(ds.getLabels(), net.output(ds.getFeatures(), false));
    }
  }
}
