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
import org.sparktrain.kernels.eval.ProbabilityMetrics;
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

  /**
   * A classifier's evaluation: DL4J's counts (accuracy, precision, recall, F1, confusion) and the
   * probability-based metrics (AUC, average precision, log loss, calibration).
   */
  public static final class Result implements java.io.Serializable {
    // a class, not a record: Spark's unsafe Kryo cannot write records' fields (task results travel by Kryo)
    private static final long serialVersionUID = 1L;
    private final Evaluation evaluation;
    private final ProbabilityMetrics probabilities;

    public Result(Evaluation evaluation, ProbabilityMetrics probabilities) {
      this.evaluation = evaluation;
      this.probabilities = probabilities;
    }

    public Evaluation evaluation() {
      return evaluation;
    }

    public ProbabilityMetrics probabilities() {
      return probabilities;
    }

    Result merge(Result o) {
      evaluation.merge(o.evaluation);
      probabilities.merge(o.probabilities);
      return this;
    }
  }

  /** Evaluates {@code net} on every example of {@code data}, with the probability-based metrics. */
  public static Result evaluateFully(JavaSparkContext sc, Network net, DistributedDataset data, int numClasses,
                                     int batchSize) {
    Broadcast<float[]> params = sc.broadcast(FloatArrays.flat(net.params()));
    ModelSpec spec = net.spec();
    try {
      return data.blocks().mapPartitions((Iterator<ExampleBlock> blocks) -> {
        Result r = new Result(new Evaluation(numClasses), new ProbabilityMetrics(numClasses));
        if (blocks.hasNext()) {
          evaluateBlock(spec.build(params.value()), blocks.next(), numClasses, batchSize, r.evaluation(),
              r.probabilities());
        }
        return List.of(r).iterator();
      }).reduce(Result::merge);
    } finally {
      params.destroy(false);
    }
  }

  /** Adds every example of {@code block} to {@code eval}. */
  public static void evaluateBlock(Network net, ExampleBlock block, int numClasses, int batchSize, Evaluation eval) {
    evaluateBlock(net, block, numClasses, batchSize, eval, null);
  }

  /** Adds every example of {@code block} to {@code eval} and, when not null, {@code probabilities}. */
  public static void evaluateBlock(Network net, ExampleBlock block, int numClasses, int batchSize, Evaluation eval,
                                   ProbabilityMetrics probabilities) {
    for (int from = 0; from < block.count(); from += batchSize) {
      int to = Math.min(block.count(), from + batchSize);
      int[] idx = new int[to - from];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = from + i;
      }
      DataSet ds = Minibatches.dataSet(block, idx, numClasses);
      org.nd4j.linalg.api.ndarray.INDArray out = net.output(ds.getFeatures())[0];
      eval.eval(ds.getLabels(), out, ds.getLabelsMaskArray());
      if (probabilities != null && out.rank() == 2) {
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
          y[i] = block.label(idx[i]);
        }
        probabilities.add(out.dup('c').data().asFloat(), y, idx.length);
      }
    }
  }
}
