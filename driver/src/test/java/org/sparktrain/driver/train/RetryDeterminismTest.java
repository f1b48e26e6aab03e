package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.kernels.model.ModelSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.data.IdxDataSource;
import org.sparktrain.kernels.augment.AugmentSpec;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.FashionMnist;
import org.sparktrain.kernels.model.LayerSpec;
import org.sparktrain.kernels.model.NetworkFactory;
import org.sparktrain.kernels.model.OptimizerSpec;
import org.sparktrain.kernels.train.FloatArrays;

/**
 * A task killed mid-partition and retried by Spark ({@code local[2,2]}: up to 2 attempts) trains
 * exactly the batches, augmentations included, that an undisturbed run trains.
 */
class RetryDeterminismTest {
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = org.sparktrain.driver.SparkTestBase.localContext("local[2,2]");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @AfterEach
  void disarm() {
    FaultInjection.clear();
  }

  private static float[] train(long seed) {
    return train(seed, false);
  }

  private static float[] train(long seed, boolean overlap) {
    DistributedDataset d = IdxDataSource.load(sc, FashionMnist.uri("train-images-idx3-ubyte.gz"),
        FashionMnist.uri("train-labels-idx1-ubyte.gz"), 10, 2, 2000, null);
    AugmentationPipeline aug = new AugmentationPipeline(List.of(AugmentSpec.of("crop_pad", 0.5),
        AugmentSpec.of("rotate", 0.5), AugmentSpec.of("gaussian_noise", 0.5),
        new AugmentSpec("mixup", 0.5, null, null, null, null, null, null, null, null, null, 0.3, null, null)), 2);
    ModelSpec conf = NetworkFactory.spec(List.of(LayerSpec.dense(32, "relu"), LayerSpec.output("softmax")),
        new OptimizerSpec("adam", 1e-3, 0, 0), new int[] {28, 28}, 10, 1);
    TrainingResult r = new ParameterAveragingTrainer(AveragingSettings.builder().epochs(1).batchSize(50).frequency(FrequencyPolicy.fixed(5)).averageUpdater(true).seed(seed).shuffle(true).numClasses(10).augmentation(aug).build().withOverlap(overlap), List.of()).fit(sc, d, conf);
    d.blocks().unpersist(false);
    assertEquals(4000, r.trainSamples(), "2 copies of 2,000 examples");
    return FloatArrays.flat(r.network().params());
  }

  @Test
  void retriedTaskReproducesTheUndisturbedRun() {
    float[] undisturbed = train(7);
    FaultInjection.failOnce(3, 1);
    float[] retried = train(7);
    assertEquals(1, FaultInjection.fired(), "the injected failure fired (and Spark retried the task)");
    assertArrayEquals(undisturbed, retried, "bitwise equal parameters after a retry");
    FaultInjection.clear();
    assertFalse(java.util.Arrays.equals(undisturbed, train(8)), "another seed gives other batches");
  }

  /**
   * Overlapped averaging: the failed attempt left its replica half-trained, so the retry (or the
   * next round, whichever takes the replica first) restarts it from the broadcast average. The run
   * completes with every example counted once; it is not bitwise the undisturbed run.
   */
  @Test
  void retriedTaskInAnOverlappedRunRestartsItsReplicaAndCompletes() {
    float[] undisturbed = train(7, true);
    FaultInjection.failOnce(3, 1);
    float[] retried = train(7, true);
    assertEquals(1, FaultInjection.fired());
    double dist = 0;
    double norm = 0;
    for (int i = 0; i < retried.length; i++) {
      assertTrue(Float.isFinite(retried[i]));
      dist += (retried[i] - undisturbed[i]) * (double) (retried[i] - undisturbed[i]);
      norm += undisturbed[i] * (double) undisturbed[i];
    }
    assertTrue(Math.sqrt(dist / norm) < 0.05, "close to the undisturbed run: relative distance "
        + Math.sqrt(dist / norm));
  }
}
