package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.sparktrain.kernels.model.ModelSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.model.LayerSpec;
import org.sparktrain.kernels.model.NetworkFactory;
import org.sparktrain.kernels.model.OptimizerSpec;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.train.Minibatches;

/**
 * Pins the distributed math to single-process DL4J: one worker reproduces plain training, and
 * plain SGD averaged after every step reproduces training with the combined batch.
 */
class EquivalenceTest extends SparkTestBase {
  private static final long SEED = 123;
  private static final List<LayerSpec> LAYERS = List.of(LayerSpec.dense(64, "relu"), LayerSpec.output("softmax"));

  private static DistributedDataset data(int partitions, int limit) {
    return IdxDataSource.load(sc, fashion("train-images-idx3-ubyte.gz"), fashion("train-labels-idx1-ubyte.gz"),
        10, partitions, limit, null);
  }

  private static ModelSpec conf(OptimizerSpec opt) {
    return conf(LAYERS, opt);
  }

  private static ModelSpec conf(List<LayerSpec> layers, OptimizerSpec opt) {
    return NetworkFactory.spec(layers, opt, new int[] {28, 28}, 10, SEED);
  }

  @ParameterizedTest(name = "streamed rounds: {0}")
  @ValueSource(booleans = {false, true})
  void oneWorkerEqualsSingleProcessAdam(boolean stream) {
    oneWorkerEqualsSingleProcess(LAYERS, stream, 1000, 2, 2 * 5);
  }

  /** The same for a recurrent network: an LSTM over the image rows (28 steps of 28 values). */
  @ParameterizedTest(name = "streamed rounds: {0}")
  @ValueSource(booleans = {false, true})
  void oneWorkerEqualsSingleProcessForAnLstm(boolean stream) {
    List<LayerSpec> lstm = List.of(new LayerSpec("lstm", 16, null, null, null, null, null),
        new LayerSpec("last_time_step", null, null, null, null, null, null), LayerSpec.output("softmax"));
    oneWorkerEqualsSingleProcess(lstm, stream, 320, 1, 2);
  }

  @ParameterizedTest(name = "streamed rounds: {0}")
  @ValueSource(booleans = {false, true})
  void oneWorkerEqualsSingleProcessForSelfAttention(boolean stream) {
    List<LayerSpec> attention = List.of(new LayerSpec("self_attention", 16, null, null, null, null, null, 4),
        new LayerSpec("global_avg_pool", null, null, null, null, null, null), LayerSpec.output("softmax"));
    oneWorkerEqualsSingleProcess(attention, stream, 320, 1, 2);
  }

  private void oneWorkerEqualsSingleProcess(List<LayerSpec> layers, boolean stream, int limit, int epochs, int rounds) {
    OptimizerSpec adam = new OptimizerSpec("adam", 1e-3, 0, 0);
    int batch = 32;
    DistributedDataset d = data(1, limit);
    TrainingResult distributed = new ParameterAveragingTrainer(
        AveragingSettings.builder().epochs(epochs).batchSize(batch).frequency(7).averageUpdater(true).seed(SEED).shuffle(true).numClasses(10).build().withStream(stream), List.of())
        .fit(sc, d, conf(layers, adam));
    assertEquals(stream ? "stream" : "jobs", distributed.engineInfo().get("transport"));

    ExampleBlock block = d.blocks().first();
    MultiLayerNetwork single = NetworkFactory.init(conf(layers, adam).multiLayer());
    for (int e = 0; e < epochs; e++) {
      single.setEpochCount(e);
      BatchPlan plan = BatchPlan.of(block.count(), batch, SEED, e, 0, true);
      for (int s = 0; s < plan.batches(); s++) {
        single.fit(Minibatches.dataSet(block, plan.batch(s), 10));
      }
    }
    assertEquals(rounds, distributed.rounds().size(), "batches per epoch / k=7, rounded up, per epoch");
    assertEquals((long) limit * epochs, distributed.trainSamples());
    assertClose(single.params(), distributed.network().params(), 1e-5);
    assertClose(single.getUpdater().getStateViewArray(),
        distributed.network().updaterState(), 1e-5);
    d.blocks().unpersist(false);
  }

  @ParameterizedTest(name = "streamed rounds: {0}")
  @ValueSource(booleans = {false, true})
  void sgdAveragedEveryStepEqualsCombinedBatch(boolean stream) {
    OptimizerSpec sgd = new OptimizerSpec("sgd", 0.1, 0, 0);
    int batch = 16;
    DistributedDataset d = data(2, 640);
    TrainingResult distributed = new ParameterAveragingTrainer(
        AveragingSettings.builder().epochs(1).batchSize(batch).frequency(1).averageUpdater(false).seed(SEED).shuffle(false).numClasses(10).build().withStream(stream), List.of())
        .fit(sc, d, conf(sgd));
    assertEquals(stream ? "stream" : "jobs", distributed.engineInfo().get("transport"));
    assertEquals(20, distributed.rounds().size());

    List<ExampleBlock> blocks = d.blocks().collect();
    MultiLayerNetwork single = NetworkFactory.init(conf(sgd).multiLayer());
    for (int s = 0; s < 20; s++) {
      int[] idx = new int[batch];
      for (int i = 0; i < batch; i++) {
        idx[i] = s * batch + i;
      }
      DataSet a = Minibatches.dataSet(blocks.get(0), idx, 10);
      DataSet b = Minibatches.dataSet(blocks.get(1), idx, 10);
      single.fit(DataSet.merge(List.of(a, b)));
    }
    INDArray before = NetworkFactory.init(conf(sgd).multiLayer()).params();
    assertTrue(before.distance2(single.params()) > 1e-2, "training must move the parameters");
    assertClose(single.params(), distributed.network().params(), 1e-5);
    d.blocks().unpersist(false);
  }

  static void assertClose(INDArray expected, INDArray actual, double tol) {
    assertEquals(expected.length(), actual.length());
    double maxDiff = expected.sub(actual.reshape(expected.shape())).amaxNumber().doubleValue();
    assertTrue(maxDiff <= tol, "max |difference| " + maxDiff + " exceeds " + tol);
  }
}
