package org.sparktrain.driver.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.evaluation.classification.Evaluation;
import org.sparktrain.driver.train.RoundStats;
import org.sparktrain.driver.train.TrainingListener;
import org.sparktrain.driver.train.TrainingResult;
import org.sparktrain.driver.train.WorkerStats;
import org.sparktrain.kernels.prune.PruningMask;

/**
 * Feeds a run's events into {@link LiveMetrics} (what Spark's metrics system and Prometheus show)
 * and its replicas' round times into the {@link StragglerDetector}. {@link #close} marks the run
 * finished whether it ended normally or not.
 */
public final class MonitorListener implements TrainingListener, AutoCloseable {
  private final LiveMetrics live;
  private final StragglerDetector detector;
  private final long dataRows;
  private final Set<String> retried = ConcurrentHashMap.newKeySet();
  private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
  private final Set<String> flagged = ConcurrentHashMap.newKeySet();
  private long listenerNanos;
  private final long receiveNanosAtStart;

  /**
   * @param live where the figures go
   * @param detector told every replica's round time, or null
   * @param dataRows training + test examples the run read
   */
  public MonitorListener(LiveMetrics live, StragglerDetector detector, long dataRows) {
    this.live = live;
    this.detector = detector;
    this.dataRows = dataRows;
    this.receiveNanosAtStart = live.receiveNanos.get();
  }

  @Override
  public void onRunStart(RunStart run) {
    live.runStartMillis = System.currentTimeMillis();
    live.round = run.resumedAfterRound();
    live.epochs = run.epochs();
    live.partitions = run.partitions();
    live.dataRowsRead = dataRows;
    live.loss = Double.NaN;
    live.samplesPerSecond = Double.NaN;
    live.syncFraction = Double.NaN;
    live.replicaSpread = Double.NaN;
    live.relativeSpread = Double.NaN;
    live.testAccuracy = Double.NaN;
    live.sparsity = Double.NaN;
    live.examples = 0;
    live.lastRoundNanos = System.nanoTime();
    live.lastCheckpointNanos = 0;
    live.lastCheckpointSeconds = Double.NaN;
    live.stragglers = 0;
    live.slowness.clear();
    live.running = 1; // last: a scrape that sees the run running sees its figures, not the previous run's
  }

  @Override
  public void onRound(RoundStats s, int totalRounds, double elapsedSeconds, long examplesSoFar) {
    long t0 = System.nanoTime();
    try {
      round(s, totalRounds, elapsedSeconds, examplesSoFar);
    } finally {
      listenerNanos += System.nanoTime() - t0;
    }
  }

  private void round(RoundStats s, int totalRounds, double elapsedSeconds, long examplesSoFar) {
    live.round = s.round();
    live.roundsTotal = totalRounds;
    live.epoch = s.epoch();
    live.k = s.k();
    live.loss = s.loss();
    live.replicaSpread = s.replicaSpread();
    live.relativeSpread = s.relativeSpread();
    live.syncFraction = s.seconds() > 0 ? s.syncSeconds() / s.seconds() : Double.NaN;
    live.samplesPerSecond = elapsedSeconds > 0 ? examplesSoFar / elapsedSeconds : Double.NaN;
    live.examples = examplesSoFar;
    live.roundsCompleted.inc();
    live.roundMillis.update(Math.round(s.seconds() * 1000));
    live.lastRoundNanos = System.nanoTime();
    for (WorkerStats w : s.workers()) {
      if (w.excluded() != null) {
        live.excludedReplicas.inc();
      }
      if (w.attempt() > 0 && retried.add(w.partition() + "/" + w.attempt())) {
        live.retriedTasks.inc();
      }
      if (detector != null && w.batches() > 0) {
        detector.replicaRound(w.partition(), executorOf(w.worker()), w.computeSeconds() + w.dataSeconds());
      }
    }
    if (detector != null) {
      for (String name : detector.assess(live).stragglers()) {
        if (flagged.add(name)) {
          event(s.round(), "straggler", name);
        }
      }
    }
  }

  @Override
  public void onCheckpoint(int round) {
    event(round, "checkpoint", "state after round " + round);
  }

  @Override
  public void onRollback(int round, double learningRate) {
    live.rollbacks.inc();
    event(round, "rollback", "learning rate now " + (float) learningRate);
  }

  @Override
  public void onPruned(int round, long steps, double sparsity, PruningMask mask) {
    live.sparsity = sparsity;
    event(round, "pruned", String.format(java.util.Locale.ROOT, "sparsity %.3f at step %d", sparsity, steps));
  }

  private void event(int round, String kind, String detail) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("round", round);
    e.put("kind", kind);
    e.put("detail", detail);
    events.add(e);
  }

  /**
   * What happened during the run besides rounds, in order: {@code checkpoint}, {@code rollback},
   * {@code pruned}, {@code straggler} (first flagged), each with its round (metrics.json {@code events}).
   */
  public List<Map<String, Object>> events() {
    return List.copyOf(events);
  }

  @Override
  public void onEvaluation(String split, IEvaluation<?> evaluation) {
    if ("test".equals(split) && evaluation instanceof Evaluation e) {
      live.testAccuracy = e.accuracy();
    }
  }

  @Override
  public void onRunEnd(TrainingResult result) {
    live.running = 0;
  }

  /** A checkpoint write finished ({@code ok}) or failed, after {@code seconds}. */
  public void checkpointWritten(boolean ok, double seconds) {
    if (ok) {
      live.checkpoints.inc();
      live.lastCheckpointNanos = System.nanoTime();
      live.lastCheckpointSeconds = seconds;
    } else {
      live.checkpointFailures.inc();
    }
  }

  /** The detector's report with the executors' samples and peaks, for metrics.json; null without a detector. */
  public Map<String, Object> health() {
    return detector == null ? null : detector.assess(live).toMap(live.executors(), live.peaks());
  }

  /**
   * What monitoring cost the run (metrics.json {@code monitoring}): the listener's time on the
   * training thread (it delays rounds), the driver's time receiving executor samples, and the
   * executors' sampler CPU time since their JVMs started; {@code training_share} is the listener's
   * time over the training time, {@code sampler_cpu_share} the samplers' CPU over the training
   * time times the replicas.
   */
  public Map<String, Object> overhead(double trainingSeconds, int replicas) {
    double listener = listenerNanos / 1e9;
    double receive = (live.receiveNanos.get() - receiveNanosAtStart) / 1e9;
    double sampler = live.executors().values().stream().mapToDouble(ExecutorSample::monitorCpuSeconds).sum();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("listener_seconds", listener);
    m.put("driver_receive_seconds", receive);
    m.put("executor_sampler_cpu_seconds", sampler);
    m.put("executors_sampled", live.executors().size());
    m.put("training_share", trainingSeconds > 0 ? listener / trainingSeconds : null);
    m.put("sampler_cpu_share", trainingSeconds > 0 && replicas > 0 ? sampler / (trainingSeconds * replicas) : null);
    return m;
  }

  @Override
  public void close() {
    live.running = 0;
  }

  /** {@code executor 3 pid 123} -> {@code 3}. */
  static String executorOf(String worker) {
    if (worker == null) {
      return "?";
    }
    String[] parts = worker.split(" ");
    return parts.length >= 2 && parts[0].equals("executor") ? parts[1] : worker;
  }
}
