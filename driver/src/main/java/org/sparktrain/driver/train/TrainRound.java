package org.sparktrain.driver.train;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.sparktrain.kernels.device.DeviceBinder;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.Replica;
import org.sparktrain.kernels.train.ReplicaCache;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * The executor side of one round: fetch this JVM's persistent replica for the partition, load the
 * broadcast average, train the planned minibatches, return the result. A small serializable
 * descriptor: the network lives in {@link ReplicaCache}, the weights arrive by broadcast.
 */
final class TrainRound implements Function2<Integer, Iterator<ExampleBlock>, Iterator<ReplicaUpdate>> {
  private static final long serialVersionUID = 1L;

  private final String runId;
  private final Broadcast<String> confJson;
  private final Broadcast<ModelState> state;
  private final RoundPlan plan;
  private final boolean withUpdater;
  private final AugmentationPipeline augmentation;

  TrainRound(String runId, Broadcast<String> confJson, Broadcast<ModelState> state, RoundPlan plan, boolean withUpdater,
             AugmentationPipeline augmentation) {
    this.runId = runId;
    this.confJson = confJson;
    this.state = state;
    this.plan = plan;
    this.withUpdater = withUpdater;
    this.augmentation = augmentation;
  }

  @Override
  public Iterator<ReplicaUpdate> call(Integer partition, Iterator<ExampleBlock> blocks) {
    if (!blocks.hasNext()) {
      return List.<ReplicaUpdate>of().iterator();
    }
    long t0 = System.nanoTime();
    String device = DeviceBinder.bind(gpuAddresses());
    ExampleBlock block = blocks.next();
    Replica replica = ReplicaCache.get(runId, partition,
        () -> new Replica(MultiLayerConfiguration.fromJson(confJson.value())));
    ModelState start = state.value();
    replica.load(start);
    double loadSeconds = (System.nanoTime() - t0) / 1e9;
    ReplicaUpdate update = replica.train(block, plan, partition, withUpdater, workerId(), start.params(),
        loadSeconds, device, augmentation);
    TaskContext tc = TaskContext.get();
    return List.of(tc == null ? update : update.withAttempt(tc.attemptNumber())).iterator();
  }

  /** The GPU addresses Spark assigned to the running task, or null. */
  static String[] gpuAddresses() {
    TaskContext tc = TaskContext.get();
    if (tc == null) {
      return null;
    }
    ResourceInformation gpu = tc.resourcesJMap().get("gpu");
    return gpu == null ? null : gpu.addresses();
  }

  static String workerId() {
    SparkEnv env = SparkEnv.get();
    String executor = env == null ? "?" : env.executorId();
    return "executor " + executor + " pid " + ProcessHandle.current().pid();
  }
}
