package org.sparktrain.driver.train;

import java.util.Deque;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.task.TrainRound;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;

/**
 * One Spark job per round ({@code averaging.transport: jobs}, and overlapped averaging): the
 * round's start state goes out by broadcast. Up to {@link #COLLECT_MAX_PARTITIONS} partitions the
 * job is submitted without waiting and its results are collected, screened by the divergence
 * guard and added on the driver in partition order, which is cheaper per round than
 * treeAggregate's extra stage and makes the sum independent of task completion order; beyond that,
 * treeAggregate keeps the driver's memory and merge work bounded, and a replica's loss is screened
 * against the previous round's median.
 */
final class JobRounds extends RoundTransport {
  private static final Logger LOG = LoggerFactory.getLogger(JobRounds.class);

  /** Collect-and-sum up to this many partitions, treeAggregate above. */
  static final int COLLECT_MAX_PARTITIONS = 32;

  JobRounds(Rounds r) {
    super(r);
  }

  @Override
  String name() {
    return "jobs";
  }

  @Override
  void start(PendingRound zero) {
    Broadcast<ModelState> bc = sc.broadcast(zero.state);
    try {
      submit(zero, bc, Double.NaN, guard); // no previous round: the tree screens non-finite values only
      awaitStart(zero);
    } finally {
      bc.destroy(false);
    }
  }

  @Override
  void submit(PendingRound f, double previousMedianLoss) {
    long t0 = System.nanoTime();
    f.bc = sc.broadcast(f.state);
    broadcastNanos += System.nanoTime() - t0;
    submit(f, f.bc, previousMedianLoss, guard);
  }

  private void submit(PendingRound f, Broadcast<ModelState> bc, double previousMedianLoss, DivergenceGuard screen) {
    TrainRound fn = new TrainRound(runId, spec, bc, f.plan, withUpdater, augmentation);
    org.apache.spark.rdd.RDD<ReplicaUpdate> updates = TrainRound.rdd(data.blocks().rdd(), fn);
    f.group = "sparktrain-round-" + f.round() + "-" + UUID.randomUUID();
    if (data.partitions() > COLLECT_MAX_PARTITIONS) {
      ParameterSum.Add add = screen.treeScreen(previousMedianLoss);
      f.tree = () -> JavaRDD.fromRDD(updates, TrainRound.TAG).treeAggregate(new ParameterSum(), add,
          new ParameterSum.Merge(), 2);
      return;
    }
    sc.setJobGroup(f.group, "sparktrain round " + f.round(), true);
    try {
      f.future = TrainRound.submit(sc, updates);
    } finally {
      sc.clearJobGroup();
    }
  }

  @Override
  ParameterSum collect(PendingRound f, double maxLossRatio) throws Exception {
    if (f.tree != null) {
      sc.setJobGroup(f.group, "sparktrain round " + f.round(), true);
      try {
        return f.tree.get();
      } finally {
        sc.clearJobGroup();
      }
    }
    return DivergenceGuard.screenAndSum(TrainRound.results(f.future.get()), maxLossRatio);
  }

  @Override
  void finished(PendingRound f) {
    if (f.bc != null) {
      f.bc.destroy(false);
    }
  }

  @Override
  void discard(Deque<PendingRound> flight) {
    for (PendingRound f : flight) {
      if (f.future != null) {
        sc.cancelJobGroup(f.group);
        try {
          f.future.get();
        } catch (Exception expected) { // cancelled
          LOG.debug("round {} discarded: {}", f.round(), expected.getMessage());
        }
      }
      finished(f);
    }
    flight.clear();
  }
}
