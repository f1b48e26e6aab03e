package org.sparktrain.driver.task;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.sparktrain.kernels.device.DeviceBinder;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.model.ModelSpec;
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
public final class TrainRound implements Function2<Integer, Iterator<ExampleBlock>, Iterator<ReplicaUpdate>> {
  private static final long serialVersionUID = 1L;

  private final String runId;
  private final Broadcast<ModelSpec> spec;
  private final Broadcast<ModelState> state;
  private final RoundPlan plan;
  private final boolean withUpdater;
  private final AugmentationPipeline augmentation;

  public TrainRound(String runId, Broadcast<ModelSpec> spec, Broadcast<ModelState> state, RoundPlan plan, boolean withUpdater,
             AugmentationPipeline augmentation) {
    this.runId = runId;
    this.spec = spec;
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
    ReplicaUpdate update = trainOn(replica(runId, partition, spec), spec, block, state.value(), plan,
        partition, withUpdater, workerId(), device, augmentation, t0);
    TaskContext tc = TaskContext.get();
    return List.of(tc == null ? update : update.withAttempt(tc.attemptNumber())).iterator();
  }

  /** This JVM's persistent replica of the run's partition, built from the network config on first use. */
  public static Replica replica(String runId, int partition, Broadcast<ModelSpec> spec) {
    return ReplicaCache.get(runId, partition, () -> new Replica(spec.value()));
  }

  /**
   * One round on {@code replica}, as a round's task or a streamed task runs it: takes the replica,
   * brings it to the round's start as {@code start} says, trains {@code plan}'s minibatches and gives
   * the replica back.
   *
   * @param t0 when the task began the round: the update's load time counts from it
   */
  public static ReplicaUpdate trainOn(Replica replica, Broadcast<ModelSpec> spec, ExampleBlock block, ModelState start,
                               RoundPlan plan, int partition, boolean withUpdater, String worker, String device,
                               AugmentationPipeline augmentation, long t0) {
    try {
      // In overlapped averaging the previous round may still train on this replica, or not have
      // started yet: wait for it.
      replica.acquire(plan.round(), start.overlap() && start.mode() != ModelState.Mode.RESET);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("round " + plan.round() + " of partition " + partition
          + " was cancelled while waiting for its replica", e);
    }
    try {
      // A retried task of a round the replica has already moved past (overlapped averaging: the
      // next round took the replica while this one waited to be retried) must not disturb it:
      // train a throwaway replica from the broadcast instead. A RESET round always owns the replica.
      Replica r = start.mode() != ModelState.Mode.RESET && replica.lastRound() >= plan.round()
          ? new Replica(spec.value()) : replica;
      String how = r.begin(start, plan.round(), partition);
      double loadSeconds = (System.nanoTime() - t0) / 1e9;
      ReplicaUpdate update = r.train(block, plan, partition, withUpdater, worker, start.params(), loadSeconds, device,
          augmentation).withStart(r == replica ? how : "throwaway");
      r.finish(plan.round(), update, start.overlap());
      ExecutorMeter.record(update, device);
      return update;
    } finally {
      replica.release();
    }
  }

  public static final scala.reflect.ClassTag<ReplicaUpdate> TAG = scala.reflect.ClassTag$.MODULE$.apply(ReplicaUpdate.class);

  /**
   * The round's RDD, built with Spark's Scala API and a named function class: the Java API wraps
   * the function in a lambda whose byte code Spark's closure cleaner re-reads on every round.
   */
  public static org.apache.spark.rdd.RDD<ReplicaUpdate> rdd(org.apache.spark.rdd.RDD<ExampleBlock> blocks, TrainRound f) {
    return blocks.mapPartitionsWithIndex(new AsScala(f), true, TAG);
  }

  /**
   * Submits the round's job without waiting: results land in partition order in the returned
   * array, which {@link #results} returns once the future completes. Jobs submitted one after
   * another from one thread get increasing job ids, so Spark's FIFO scheduler launches every task
   * of a round before any task of the next: a task of round r + 1 never holds a slot that a task of
   * round r (which it waits for) needs.
   */
  public static org.apache.spark.SimpleFutureAction<ReplicaUpdate[]> submit(org.apache.spark.api.java.JavaSparkContext sc,
      org.apache.spark.rdd.RDD<ReplicaUpdate> rdd) {
    int n = rdd.getNumPartitions();
    ReplicaUpdate[] out = new ReplicaUpdate[n];
    java.util.List<Object> parts = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      parts.add(i);
    }
    return sc.sc().submitJob(rdd, new FirstOrNull(), scala.collection.JavaConverters.asScalaBuffer(parts).toSeq(),
        new Store(out), new Results(out));
  }

  /** The non-null results in partition order. */
  public static java.util.List<ReplicaUpdate> results(ReplicaUpdate[] perPartition) {
    java.util.List<ReplicaUpdate> out = new java.util.ArrayList<>(perPartition.length);
    for (ReplicaUpdate u : perPartition) {
      if (u != null) {
        out.add(u);
      }
    }
    return out;
  }

  /** Stores a partition's result as the DAG scheduler reports it. */
  static final class Store extends scala.runtime.AbstractFunction2<Object, ReplicaUpdate, scala.runtime.BoxedUnit>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final transient ReplicaUpdate[] out;

    Store(ReplicaUpdate[] out) {
      this.out = out;
    }

    @Override
    public scala.runtime.BoxedUnit apply(Object index, ReplicaUpdate u) {
      out[(Integer) index] = u;
      return scala.runtime.BoxedUnit.UNIT;
    }
  }

  /** The job's value: the filled array. */
  static final class Results extends scala.runtime.AbstractFunction0<ReplicaUpdate[]> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final transient ReplicaUpdate[] out;

    Results(ReplicaUpdate[] out) {
      this.out = out;
    }

    @Override
    public ReplicaUpdate[] apply() {
      return out;
    }
  }

  /** {@link TrainRound} as the Scala function {@code RDD.mapPartitionsWithIndex} takes. */
  static final class AsScala extends scala.runtime.AbstractFunction2<Object, scala.collection.Iterator<ExampleBlock>,
      scala.collection.Iterator<ReplicaUpdate>> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final TrainRound round;

    AsScala(TrainRound round) {
      this.round = round;
    }

    @Override
    public scala.collection.Iterator<ReplicaUpdate> apply(Object partition, scala.collection.Iterator<ExampleBlock> it) {
      return scala.collection.JavaConverters.asScalaIterator(round.call((Integer) partition,
          scala.collection.JavaConverters.asJavaIterator(it)));
    }
  }

  /** A partition's single result, or null for a partition that trained nothing. */
  static final class FirstOrNull extends scala.runtime.AbstractFunction1<scala.collection.Iterator<ReplicaUpdate>,
      ReplicaUpdate> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public ReplicaUpdate apply(scala.collection.Iterator<ReplicaUpdate> it) {
      ReplicaUpdate first = it.hasNext() ? it.next() : null;
      if (it.hasNext()) {
        throw new IllegalStateException("a partition returned more than one result in one round");
      }
      return first;
    }
  }

  /** The GPU addresses Spark assigned to the running task, or null. */
  public static String[] gpuAddresses() {
    TaskContext tc = TaskContext.get();
    if (tc == null) {
      return null;
    }
    ResourceInformation gpu = tc.resourcesJMap().get("gpu");
    return gpu == null ? null : gpu.addresses();
  }

  public static String workerId() {
    SparkEnv env = SparkEnv.get();
    String executor = env == null ? "?" : env.executorId();
    return "executor " + executor + " pid " + ProcessHandle.current().pid();
  }
}
