package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.model.ModelSpec;

/**
 * How rounds reach the replicas and their results come back: streamed to one long task per
 * partition ({@link StreamedRounds}), or one Spark job per round ({@link JobRounds}). The loop
 * above it is the same either way: submit, await the screened sum, release.
 */
abstract class RoundTransport implements AutoCloseable {
  final JavaSparkContext sc;
  final DistributedDataset data;
  final String runId;
  final Broadcast<ModelSpec> spec;
  final boolean withUpdater;
  final AugmentationPipeline augmentation;
  final DivergenceGuard guard;
  private final RoundWatchdog watchdog;
  private final RoundWatchdog unguarded = new RoundWatchdog(0);
  private final RunningTasks tasks = new RunningTasks();
  long broadcastNanos;

  RoundTransport(Rounds r) {
    this.sc = r.sc();
    this.data = r.data();
    this.runId = r.runId();
    this.spec = r.spec();
    this.withUpdater = r.withUpdater();
    this.augmentation = r.augmentation();
    this.guard = r.guard();
    this.watchdog = new RoundWatchdog(guard.settings().roundTimeoutSeconds());
    sc.sc().addSparkListener(tasks);
  }

  /** What every transport is built from. */
  record Rounds(JavaSparkContext sc, DistributedDataset data, String runId, Broadcast<ModelSpec> spec,
                boolean withUpdater, AugmentationPipeline augmentation, DivergenceGuard guard) {}

  /** {@code averaging.transport} as reported in metrics.json: {@code stream} or {@code jobs}. */
  abstract String name();

  /**
   * Round 0, before the clock starts: a round of no steps that reads (and so caches) every
   * partition's data, builds its replica in the executor holding it and loads the starting state
   * through the same path the rounds use.
   */
  abstract void start(PendingRound zero);

  /** Hands round {@code f} to the replicas without waiting. */
  abstract void submit(PendingRound f, double previousMedianLoss);

  /** The round's results, screened and summed (throws what the round's job threw). */
  abstract ParameterSum collect(PendingRound f, double maxLossRatio) throws Exception;

  /** Waits for round {@code f}, cancelling it after {@code guard.round_timeout_seconds}. */
  final ParameterSum await(PendingRound f) {
    return watchdog.watch(f.round(), () -> collect(f, guard.settings().maxLossRatio()), () -> stuck(f),
        () -> sc.cancelJobGroup(f.group));
  }

  /** Waits for round 0 (no time-out: it reads the data). */
  final void awaitStart(PendingRound zero) {
    unguarded.watch(0, () -> collect(zero, GuardSettings.defaults().maxLossRatio()), () -> "", () -> {});
  }

  /** Frees what round {@code f} held once its results are in. */
  void finished(PendingRound f) {}

  /** Cancels the rounds still in flight and waits until Spark has given up on them. */
  void discard(Deque<PendingRound> flight) {
    flight.clear();
  }

  /** What a timed-out round was still doing. */
  String stuck(PendingRound f) {
    return describeRunning(f.group);
  }

  @Override
  public void close() {
    watchdog.close();
    sc.sc().removeSparkListener(tasks);
  }

  String describeRunning(String group) {
    List<Integer> stages = new ArrayList<>();
    for (int job : sc.statusTracker().getJobIdsForGroup(group)) {
      org.apache.spark.SparkJobInfo info = sc.statusTracker().getJobInfo(job);
      if (info != null) {
        for (int st : info.stageIds()) {
          stages.add(st);
        }
      }
    }
    List<RunningTasks.Task> running = tasks.runningIn(stages);
    if (running.isEmpty()) {
      return "stage(s) " + stages + " had no running task (waiting for executors?)";
    }
    StringBuilder sb = new StringBuilder();
    for (RunningTasks.Task t : running) {
      sb.append(sb.length() == 0 ? "" : "; ").append("stage ").append(t.stage()).append(' ').append(t);
    }
    return "still running: " + sb;
  }
}
