package org.sparktrain.driver.train;

import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.driver.task.RoundClient;
import org.sparktrain.driver.task.StreamTask;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.device.DeviceBinder;
import org.sparktrain.kernels.train.Replica;
import org.sparktrain.kernels.train.ReplicaUpdate;

/**
 * Streamed rounds ({@code averaging.transport: stream}): one Spark job whose task per partition
 * stays on its executor and trains every round the driver posts, instead of one Spark job per
 * round. The rounds are the same as with one job per round (each replica starts a round from the
 * broadcast-equivalent average, trains the planned batches, returns its result, and the driver
 * screens and averages in partition order), so results are identical; what goes away is the job's
 * scheduling, task launch and broadcast (about 14 ms per round on the 2-core test machine).
 *
 * <p>A failed task is retried by Spark as usual; the retry asks for the current round and trains
 * it from the same average, so a retried round trains exactly what the first attempt would have.
 * Every task must run at the same time: the trainer uses a stream only when the cluster has a slot
 * for every partition ({@link #fits}).
 */
final class RoundStream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoundStream.class);

  private final JavaSparkContext sc;
  private final String id;
  private final String group;
  private final RoundService.Mailbox mailbox;
  private final JavaFutureAction<Void> job;

  private RoundStream(JavaSparkContext sc, String id, String group, RoundService.Mailbox mailbox,
                      JavaFutureAction<Void> job) {
    this.sc = sc;
    this.id = id;
    this.group = group;
    this.mailbox = mailbox;
    this.job = job;
  }

  /**
   * Why rounds cannot be streamed on this context for {@code data}, or null when they can: the
   * plugin must run on the driver, and every partition with data needs a task slot at once.
   */
  static String whyNot(JavaSparkContext sc, DistributedDataset data) {
    if (!RoundService.driverRunning()) {
      return "the sparktrain plugin is not loaded (spark.plugins does not name " + RoundService.class.getName() + ")";
    }
    int busy = nonEmpty(data).size();
    int slots = slots(sc);
    if (busy > slots) {
      return busy + " partitions hold data but the cluster runs only " + slots + " tasks at once";
    }
    if (busy > JobRounds.COLLECT_MAX_PARTITIONS) {
      return busy + " partitions are more than the " + JobRounds.COLLECT_MAX_PARTITIONS
          + " whose results the driver collects";
    }
    return null;
  }

  /** Task slots the cluster has now (Spark's own count; the default parallelism where it is not exposed). */
  static int slots(JavaSparkContext sc) {
    try {
      return sc.sc().maxNumConcurrentTasks(sc.sc().resourceProfileManager().defaultResourceProfile());
    } catch (RuntimeException | LinkageError e) {
      return sc.defaultParallelism();
    }
  }

  static Set<Integer> nonEmpty(DistributedDataset data) {
    Set<Integer> out = new TreeSet<>();
    int[] counts = data.partitionCounts();
    for (int p = 0; p < counts.length; p++) {
      if (counts[p] > 0) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * Starts the stream's job and posts its first round; its tasks train rounds until {@link #close}.
   */
  static RoundStream start(JavaSparkContext sc, DistributedDataset data, String runId, Broadcast<ModelSpec> spec,
                           boolean withUpdater, AugmentationPipeline augmentation,
                           PendingRound first) {
    String id = runId + "/" + UUID.randomUUID();
    Set<Integer> partitions = nonEmpty(data);
    RoundService.Mailbox mailbox = RoundService.open(id, partitions);
    String group = "sparktrain-stream-" + id;
    sc.setJobGroup(group, "sparktrain rounds (streamed) from round " + first.round(), true);
    try {
      JavaFutureAction<Void> job = data.blocks().foreachPartitionAsync(
          new StreamTask(id, runId, spec, withUpdater, augmentation, RoundClient.maxPark(partitions.size())));
      RoundStream stream = new RoundStream(sc, id, group, mailbox, job);
      stream.post(first);
      return stream;
    } catch (RuntimeException e) {
      RoundService.close(id);
      throw e;
    } finally {
      sc.clearJobGroup();
    }
  }

  /** Partitions whose result for the current round has not arrived. */
  List<Integer> missing() {
    return mailbox.missing();
  }

  /** Posts the next round to the running tasks; {@code f} then knows its stream, post and job group. */
  void post(PendingRound f) {
    f.seq = mailbox.post(f.state, f.plan);
    f.stream = this;
    f.group = group;
  }

  /**
   * Waits until every partition has returned round {@code f}'s result. Fails with the job's error
   * when the job ends first (a task failed more often than Spark retries, or the job was cancelled).
   */
  List<ReplicaUpdate> await(PendingRound f) throws Exception {
    while (true) {
      List<ReplicaUpdate> got = mailbox.take(f.seq, 50_000_000L);
      if (got != null) {
        return got;
      }
      if (job.isDone()) {
        try {
          job.get();
        } catch (java.util.concurrent.ExecutionException e) {
          // Spark's own failure (which task failed how often, and why) rather than its Java wrapper
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
        throw new IllegalStateException("the streamed rounds' job ended while round " + f.round()
            + " waited for partitions " + mailbox.missing());
      }
    }
  }

  /** Ends the stream: tasks finish after their current round; waits for the job at most 60 s. */
  @Override
  public void close() {
    RoundService.close(id);
    try {
      job.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      sc.cancelJobGroup(group);
      LOG.debug("streamed rounds' job {} ended with {}", id, e.toString());
    }
  }
}
