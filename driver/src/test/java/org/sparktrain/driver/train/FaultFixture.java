package org.sparktrain.driver.train;

import java.util.List;
import java.util.function.Supplier;
import org.sparktrain.kernels.model.ModelSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.kernels.data.FashionMnist;
import org.sparktrain.kernels.model.LayerSpec;
import org.sparktrain.kernels.model.NetworkFactory;
import org.sparktrain.kernels.model.OptimizerSpec;

/**
 * What the averaging loop's fault tests share: 8,000 Fashion-MNIST training examples in 4
 * partitions and 2,000 test examples, a small Adam MLP, its test accuracy, fault injection disarmed
 * after every test, and a driver that dies after a given round.
 */
abstract class FaultFixture extends SparkTestBase {
  static DistributedDataset train;
  static DistributedDataset test;

  @BeforeAll
  static void loadFashionMnist() {
    train = loadTrain(sc);
    test = IdxDataSource.load(sc, FashionMnist.uri("t10k-images-idx3-ubyte.gz"),
        FashionMnist.uri("t10k-labels-idx1-ubyte.gz"), 10, 2, 2000, null);
  }

  @AfterEach
  void disarm() {
    FaultInjection.clear();
  }

  /** The fault tests' training set: 8,000 Fashion-MNIST examples in 4 partitions (also StreamTest's). */
  static DistributedDataset loadTrain(org.apache.spark.api.java.JavaSparkContext sc) {
    return IdxDataSource.load(sc, FashionMnist.uri("train-images-idx3-ubyte.gz"),
        FashionMnist.uri("train-labels-idx1-ubyte.gz"), 10, 4, 8000, null);
  }

  static ModelSpec mlp() {
    return NetworkFactory.spec(List.of(LayerSpec.dense(64, "relu"), LayerSpec.output("softmax")),
        new OptimizerSpec("adam", 1e-3, 0, 0), new int[] {28, 28}, 10, 3);
  }

  static double accuracy(TrainingResult r) {
    return DistributedEvaluator.evaluate(sc, r.network(), test, 10, 500).accuracy();
  }

  /**
   * A driver that dies right after its {@code round}-th completed round (consistent or not), once
   * {@code inner} has seen it.
   */
  record CrashAfter(Checkpointer inner, int round, int[] seen) implements Checkpointer {
    CrashAfter(Checkpointer inner, int round) {
      this(inner, round, new int[1]);
    }

    @Override
    public boolean afterRound(Supplier<TrainingState> state, boolean last) {
      boolean taken = inner.afterRound(state, last);
      crash();
      return taken;
    }

    @Override
    public void afterInconsistentRound() {
      inner.afterInconsistentRound();
      crash();
    }

    private void crash() {
      if (++seen[0] == round) {
        throw new IllegalStateException("simulated driver crash after round " + round);
      }
    }

    @Override
    public boolean dueAfter(int roundsAhead) {
      return inner.dueAfter(roundsAhead);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
