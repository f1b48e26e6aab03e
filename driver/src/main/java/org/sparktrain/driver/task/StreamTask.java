package org.sparktrain.driver.task;

import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.device.DeviceBinder;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.train.Replica;
import org.sparktrain.kernels.train.ReplicaUpdate;

/**
 * The executor side of streamed rounds: one long task per partition that trains every round the
 * driver posts, until the driver ends the stream.
 */
public final class StreamTask implements VoidFunction<Iterator<ExampleBlock>> {
  private static final long serialVersionUID = 1L;
  private final String stream;
  private final String runId;
  private final Broadcast<ModelSpec> spec;
  private final boolean withUpdater;
  private final AugmentationPipeline augmentation;
  private final long maxPark;

  public StreamTask(String stream, String runId, Broadcast<ModelSpec> spec, boolean withUpdater,
                    AugmentationPipeline augmentation, long maxPark) {
    this.maxPark = maxPark;
    this.stream = stream;
    this.runId = runId;
    this.spec = spec;
    this.withUpdater = withUpdater;
    this.augmentation = augmentation;
  }

  @Override
  public void call(Iterator<ExampleBlock> blocks) {
    if (!blocks.hasNext()) {
      return;
    }
    TaskContext tc = TaskContext.get();
    int partition = tc.partitionId();
    int attempt = tc.attemptNumber();
    PluginContext ctx = RoundClient.executor();
    String device = DeviceBinder.bind(TrainRound.gpuAddresses());
    String worker = TrainRound.workerId();
    ExampleBlock block = blocks.next();
    if (block.count() == 0) {
      return; // an empty partition takes no part (and holds no slot) in the rounds
    }
    Replica replica = TrainRound.replica(runId, partition, spec);
    RoundMessages.Next next = RoundClient.poll(ctx, new RoundMessages.Hello(stream, partition), maxPark);
    while (!next.stop()) {
      int round = next.plan().round();
      ReplicaUpdate update = TrainRound.trainOn(replica, spec, block, next.state(), next.plan(), partition,
          withUpdater, worker, device, augmentation, System.nanoTime());
      try {
        RoundClient.ask(ctx, new RoundMessages.Done(stream, next.seq(), update.withAttempt(attempt)));
      } catch (Exception e) {
        throw new IllegalStateException("could not hand round " + round + " of partition " + partition
            + " to the driver: " + e.getMessage(), e);
      }
      next = RoundClient.poll(ctx, new RoundMessages.Await(stream, next.seq()), maxPark);
    }
  }
}
