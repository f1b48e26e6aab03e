package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.model.GraphModel;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.train.Minibatches;

/**
 * The model seam is real: a ComputationGraph with a skip connection (dense 784-256, dense 256-256
 * added back through an ElementWiseVertex, softmax output) trains through the sparktrain engine,
 * and one worker reproduces plain single-process DL4J training of the same graph.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GraphModelTest extends SparkTestBase {
  private static final long SEED = 123;

  static ModelSpec skipGraph() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(SEED).dataType(DataType.FLOAT)
        .weightInit(WeightInit.XAVIER).updater(new Adam(1e-3)).graphBuilder()
        .addInputs("in")
        .addLayer("d1", new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build(), "in")
        .addLayer("d2", new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build(), "d1")
        .addVertex("skip", new ElementWiseVertex(ElementWiseVertex.Op.Add), "d1", "d2")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
            .activation(Activation.SOFTMAX).build(), "skip")
        .setOutputs("out")
        .setInputTypes(InputType.feedForward(784))
        .build();
    return ModelSpec.of(conf);
  }

  @ParameterizedTest(name = "streamed rounds: {0}")
  @ValueSource(booleans = {false, true})
  void oneWorkerGraphEqualsSingleProcessGraph(boolean stream) {
    int batch = 32;
    int epochs = 2;
    DistributedDataset d = IdxDataSource.load(sc, fashion("train-images-idx3-ubyte.gz"),
        fashion("train-labels-idx1-ubyte.gz"), 10, 1, 640, null);
    TrainingResult distributed = new ParameterAveragingTrainer(AveragingSettings.builder().epochs(epochs)
        .batchSize(batch).frequency(7).seed(SEED).build().withStream(stream), List.of()).fit(sc, d, skipGraph());
    assertTrue(distributed.network() instanceof GraphModel, "the trained model is the graph");
    assertEquals(stream ? "stream" : "jobs", distributed.engineInfo().get("transport"));

    ExampleBlock block = d.blocks().first();
    ComputationGraph single = new ComputationGraph(skipGraph().graph());
    single.init();
    for (int e = 0; e < epochs; e++) {
      single.getConfiguration().setEpochCount(e);
      BatchPlan plan = BatchPlan.of(block.count(), batch, SEED, e, 0, true);
      for (int s = 0; s < plan.batches(); s++) {
        single.fit(Minibatches.dataSet(block, plan.batch(s), 10));
      }
    }
    assertEquals(2 * 3, distributed.rounds().size(), "20 batches per epoch at k=7 make 3 rounds");
    ComputationGraph fresh = new ComputationGraph(skipGraph().graph());
    fresh.init();
    assertTrue(fresh.params().distance2(single.params()) > 1e-2, "training must move the parameters");
    EquivalenceTest.assertClose(single.params(), distributed.network().params(), 1e-5);
    EquivalenceTest.assertClose(single.getUpdater().getStateViewArray(), distributed.network().updaterState(), 1e-5);
    assertTrue(DistributedEvaluator.evaluate(sc, distributed.network(), d, 10, 128).accuracy() > 0.6,
        "the distributed evaluator runs the graph too");
    d.blocks().unpersist(false);
  }
}
