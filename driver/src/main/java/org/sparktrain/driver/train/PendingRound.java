package org.sparktrain.driver.train;

import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/** One round on its way: its plan, the cursor it started from, and how its transport tracks it. */
final class PendingRound {
  /** Round number, epoch, first step and k of the round. */
  RoundPlan plan;
  /** DL4J's iteration count at the round's start (the cursor's third coordinate). */
  int iteration;
  /** What the round starts from: the average, the mode, the partitions it restarts. */
  ModelState state;
  /** One job per round: the round's broadcast. */
  Broadcast<ModelState> bc;
  long submitted;
  /** The Spark job group the round's tasks run in (cancelled on time-out). */
  String group;
  /** One job per round, results collected on the driver. */
  org.apache.spark.SimpleFutureAction<ReplicaUpdate[]> future;
  /** One job per round, results summed by treeAggregate. */
  java.util.function.Supplier<ParameterSum> tree;
  /** Streamed rounds: the stream the round was posted to, and its post's number there. */
  RoundStream stream;
  long seq;

  int round() {
    return plan.round();
  }
}
