package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaCache;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * Parameter averaging on Spark. Each round: broadcast the current average, let every partition's
 * persistent replica train {@code k} minibatches from its cursor, screen the results (divergence
 * guard), sum them weighted by examples, divide on the driver, tell the checkpointer. One Spark job
 * per round; no communication outside Spark. A task Spark retries (failed task, lost executor)
 * rebuilds its replica from the broadcast and trains the same batches, and Spark returns one result
 * per partition, so each partition counts exactly once.
 *
 * <p>Synchronous by default: a round starts when the previous one is averaged. With
 * {@link AveragingSettings#overlap()} two rounds are in flight and replicas apply each average one
 * round late ({@link org.sparktrain.kernels.train.OverlapCorrection}); the pipeline drains before
 * every checkpoint, so checkpoints stay exact.
 */
public final class ParameterAveragingTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTrainer.class);

  private final AveragingSettings settings;
  private final GuardSettings guard;
  private final List<TrainingListener> listeners;

  public ParameterAveragingTrainer(AveragingSettings settings, List<TrainingListener> listeners) {
    this(settings, GuardSettings.defaults(), listeners);
  }

  public ParameterAveragingTrainer(AveragingSettings settings, GuardSettings guard, List<TrainingListener> listeners) {
    this.settings = settings;
    this.guard = guard;
    this.listeners = List.copyOf(listeners);
  }

  /** Minibatches of the partition with the most: the length of an epoch in steps. */
  public int stepsPerEpoch(int[] partitionCounts) {
    return java.util.Arrays.stream(batchesPerPartition(partitionCounts)).max().orElse(0);
  }

  /** Minibatches per epoch of each partition. */
  int[] batchesPerPartition(int[] partitionCounts) {
    int[] b = new int[partitionCounts.length];
    for (int p = 0; p < b.length; p++) {
      b[p] = BatchPlan.numBatches(partitionCounts[p] * settings.augmentation().copies(), settings.batchSize());
    }
    return b;
  }

  /** Rounds per epoch at a fixed k. */
  public int roundsPerEpoch(int[] partitionCounts) {
    return (stepsPerEpoch(partitionCounts) + settings.frequency().k() - 1) / settings.frequency().k();
  }

  /** Trains {@code conf} (initialised from its seed) on {@code data} under a fresh run id. */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, MultiLayerConfiguration conf) {
    return fit(sc, data, conf, UUID.randomUUID().toString());
  }

  /**
   * Trains {@code conf} (initialised from its seed) on {@code data}.
   *
   * @param runId keys the executors' persistent replicas; unique per run
   */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, MultiLayerConfiguration conf, String runId) {
    return fit(sc, data, conf, runId, null, Checkpointer.NONE);
  }

  /**
   * Trains {@code conf} on {@code data}, from its seeded initialisation or from a checkpointed state.
   *
   * @param runId keys the executors' persistent replicas; unique per run
   * @param resume the state to continue from, or null to start fresh
   * @param checkpointer told after every round
   */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, MultiLayerConfiguration conf, String runId,
                            TrainingState resume, Checkpointer checkpointer) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
    net.init();
    INDArray updaterView = settings.averageUpdater() && net.getUpdater(true) != null
        ? net.getUpdater(true).getStateViewArray() : null;
    int[] counts = data.partitionCounts();
    int[] batches = batchesPerPartition(counts);
    int steps = java.util.Arrays.stream(batches).max().orElse(0);
    FrequencyController k = settings.frequency().controller();
    Loop s = resume == null
        ? new Loop(FloatArrays.flat(net.params()), updaterView == null ? null : FloatArrays.flat(updaterView))
        : Loop.resumed(resume, net, updaterView, counts, k, settings.seed());
    double configuredLr = configuredLearningRate(net);
    Broadcast<String> confJson = sc.broadcast(conf.toJson());
    LOG.info("run {}: {} partitions, {} steps/epoch x {} epochs, {}, batch {} per replica, {} parameters{}{}", runId,
        data.partitions(), steps, settings.epochs(), k.describe(), settings.batchSize(), s.params.length,
        s.updater != null ? " + " + s.updater.length + " updater state" : "",
        resume != null ? ", resuming after round " + resume.round() + " (epoch " + (resume.epoch() + 1) + ", step "
            + resume.step() + ")" : "");

    boolean overlap = settings.overlap() && data.partitions() <= COLLECT_MAX_PARTITIONS;
    if (settings.overlap() && !overlap) {
      LOG.warn("averaging.overlap is limited to {} partitions (results are collected on the driver); this run has "
          + "{}: rounds run synchronously through treeAggregate", COLLECT_MAX_PARTITIONS, data.partitions());
    }
    int depth = overlap ? 2 : 1;
    List<RoundStats> rounds = new ArrayList<>();
    long resumedSamples = resume == null ? 0 : resume.samples();
    long setup = System.nanoTime();
    long start = setup;
    long broadcastNanos = 0;
    long jobNanos = 0;
    long checkpointNanos = 0;
    int excludedReplicas = 0;
    int drains = 0;
    long restarts = 0;
    double previousMedianLoss = Double.NaN;
    RunningTasks tasks = new RunningTasks();
    sc.sc().addSparkListener(tasks);
    java.util.ArrayDeque<Pending> flight = new java.util.ArrayDeque<>();
    int[] resetNext = new int[0];
    int lastReset = Integer.MAX_VALUE;
    long lastDone;
    RoundStream stream = null;
    String noStream = !settings.stream() ? null : RoundStream.whyNot(sc, data);
    if (noStream != null) {
      LOG.warn("averaging.transport is stream but {}: running one Spark job per round", noStream);
    }
    boolean streamed = settings.stream() && noStream == null;
    try {
      if (streamed) {
        // round 0 is the stream's first round: its job and tasks start before the clock too
        Pending zero = new Pending();
        zero.plan = roundZero(s);
        zero.state = new ModelState(s.params, s.updater, s.iteration, s.epoch);
        stream = RoundStream.start(sc, data, runId, confJson, s.updater != null, settings.augmentation(), zero);
        await(sc, zero, GuardSettings.defaults(), tasks);
      } else {
        prepare(sc, data, runId, confJson, s);
      }
      start = System.nanoTime();
      lastDone = start;
      while (true) {
        // Keep `depth` rounds in flight. Overlapped averaging lets the pipeline drain before a round
        // that must be consistent (a checkpoint), so the next round restarts every replica from it.
        while (flight.size() < depth && s.hasNext(steps, settings.epochs())) {
          if (!flight.isEmpty() && checkpointer.dueAfter(flight.size())) {
            drains++;
            break;
          }
          long t0 = System.nanoTime();
          Pending f = s.plan(k.next(), steps, settings);
          ModelState.Mode mode = !overlap || flight.isEmpty() ? ModelState.Mode.RESET
              : s.round >= lastReset ? ModelState.Mode.CORRECT : ModelState.Mode.CONTINUE;
          if (mode == ModelState.Mode.RESET) {
            lastReset = f.round();
          }
          f.state = new ModelState(s.params, s.updater, f.iteration, f.plan.epoch(), mode, s.round, overlap,
              resetNext, (float) settings.overlapGain());
          resetNext = new int[0];
          f.submitted = t0;
          if (streamed) {
            // the running tasks take the round from the driver: no broadcast, no job
            stream.post(f);
            flight.addLast(f);
            continue;
          }
          f.bc = sc.broadcast(f.state);
          long t1 = System.nanoTime();
          broadcastNanos += t1 - t0;
          TrainRound fn = new TrainRound(runId, confJson, f.bc, f.plan, s.updater != null, settings.augmentation());
          submit(sc, f, TrainRound.rdd(data.blocks().rdd(), fn), data.partitions(), guard, previousMedianLoss);
          flight.addLast(f);
        }
        if (flight.isEmpty()) {
          break;
        }
        Pending f = flight.removeFirst();
        long t1 = System.nanoTime();
        ParameterSum sum = await(sc, f, guard, tasks);
        long t2 = System.nanoTime();
        if (f.bc != null) {
          f.bc.destroy(false);
        }
        jobNanos += t2 - t1;
        List<WorkerStats> workers = sum.workers();
        if (!sum.excluded().isEmpty()) {
          long working = workers.stream().filter(w -> w.examples() > 0).count();
          excludedReplicas += sum.excluded().size();
          sum.excluded().forEach((p, why) -> LOG.warn("round {}: replica of partition {} left out of the average: {}",
              f.round(), p, why));
          if (sum.examples() == 0 || sum.excluded().size() > guard.maxDivergedFraction() * working) {
            // Rounds already running started from the diverged replicas: discard them too.
            discard(sc, flight);
            s.rewind(f);
            s.learningRate = rollBack(f.round(), s, sum, working, configuredLr);
            lastReset = Integer.MAX_VALUE;
            resetNext = new int[0];
            continue;
          }
          // A partition the round already running restarts anyway needs no second restart.
          java.util.Set<Integer> restarting = new java.util.HashSet<>();
          if (!flight.isEmpty()) {
            for (int p : flight.peekFirst().state.resetPartitions()) {
              restarting.add(p);
            }
          }
          resetNext = sum.excluded().keySet().stream().filter(p -> !restarting.contains(p)).mapToInt(Integer::intValue)
              .toArray();
        }
        double spread = 0;
        double relSpread = 0;
        if (sum.examples() > 0) {
          s.params = sum.averageParams();
          double[] d = sum.distances(f.state.params(), s.params);
          spread = d[0];
          relSpread = spread / Math.max(1e-12, d[1]);
          if (s.updater != null) {
            float[] u = sum.averageUpdater();
            s.updater = u != null ? u : s.updater;
          }
        }
        previousMedianLoss = medianLoss(workers);
        int maxBatches = workers.stream().mapToInt(WorkerStats::batches).max().orElse(0);
        s.round = f.round();
        s.samples += sum.examples();
        long done = System.nanoTime();
        // A round's time: from its submission, or from the previous round's end when it overlapped it
        double seconds = (done - Math.max(f.submitted, lastDone)) / 1e9;
        lastDone = done;
        List<WorkerStats> withSync = workers.stream().map(w -> w.withRoundSeconds(seconds)).toList();
        RoundStats stats = RoundStats.of(f.round(), f.plan.epoch() + 1, f.plan.steps(), sum.meanLoss(),
            sum.examples(), seconds, spread, relSpread, withSync);
        rounds.add(stats);
        if (f.state.mode() != ModelState.Mode.RESET) {
          restarts += workers.stream().filter(w -> "reset".equals(w.start()) || "throwaway".equals(w.start())).count();
        }
        k.observe(f.plan.steps(), stats.busySeconds(), stats.syncSeconds(), maxBatches, relSpread);
        double elapsed = (System.nanoTime() - start) / 1e9;
        int totalRounds = f.round() + flight.size() + (s.remainingSteps(steps, settings.epochs()) + k.next() - 1)
            / k.next();
        for (TrainingListener l : listeners) {
          l.onRound(stats, totalRounds, elapsed, s.samples - resumedSamples);
        }
        long c0 = System.nanoTime();
        if (flight.isEmpty()) {
          // nothing runs past this round: the average alone resumes the run exactly
          double before = s.priorSeconds + (c0 - start) / 1e9;
          checkpointer.afterRound(() -> s.state(runId, k.snapshot(), counts, batches, before, settings.seed()),
              !s.hasNext(steps, settings.epochs()));
        } else {
          checkpointer.afterInconsistentRound();
        }
        checkpointNanos += System.nanoTime() - c0;
      }
    } finally {
      discard(sc, flight);
      if (stream != null) {
        stream.close();
      }
      checkpointer.close();
      sc.sc().removeSparkListener(tasks);
      ReplicaCache.release(runId);
      confJson.destroy(false);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    FloatArrays.assign(net.params(), s.params);
    if (updaterView != null && s.updater != null) {
      FloatArrays.assign(updaterView, s.updater);
    }
    if (!Double.isNaN(s.learningRate)) {
      net.setLearningRate(s.learningRate);
    }
    net.setIterationCount(s.iteration);
    net.setEpochCount(settings.epochs());
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("frequency_mode", k.isAuto() ? "auto" : "fixed");
    info.put("frequency_final", k.next());
    info.put("frequency_controller", k.describe());
    info.put("overlap", overlap);
    info.put("transport", streamed ? "stream" : "jobs");
    if (noStream != null) {
      info.put("transport_fallback", noStream);
    }
    if (overlap) {
      info.put("overlap_gain", settings.overlapGain());
      info.put("overlap_drains", drains);
      info.put("overlap_restarts", restarts);
    }
    info.put("setup_seconds", (start - setup) / 1e9);
    info.put("driver_broadcast_seconds", broadcastNanos / 1e9);
    info.put("driver_job_seconds", jobNanos / 1e9);
    info.put("checkpoint_seconds", checkpointNanos / 1e9);
    info.put("excluded_replicas", excludedReplicas);
    info.put("rollbacks", s.rollbacks);
    // a streamed task serves many rounds: count each retried task once, not each round it served
    info.put("retried_tasks", streamed
        ? rounds.stream().flatMap(r -> r.workers().stream()).filter(w -> w.attempt() > 0)
            .map(w -> w.partition() + "/" + w.attempt()).distinct().count()
        : rounds.stream().flatMap(r -> r.workers().stream()).filter(w -> w.attempt() > 0).count());
    if (!Double.isNaN(s.learningRate)) {
      info.put("learning_rate_final", s.learningRate);
    }
    if (resume != null) {
      info.put("resumed_after_round", resume.round());
      info.put("training_seconds_before_resume", resume.trainingSeconds());
    }
    TrainingResult result = new TrainingResult(net, rounds, s.samples - resumedSamples, wall, info);
    LOG.info("run {}: {} rounds ({}), {} samples/s, sync fraction {}, straggler spread {}, mean k {}, {}", runId,
        rounds.size(), streamed ? "streamed" : overlap ? "one job each, overlapped" : "one job each",
        Math.round(result.samplesPerSecond()), String.format("%.3f", result.syncFraction()),
        String.format("%.3f", result.stragglerSpread()), String.format("%.1f", result.meanK()), k.describe());
    return result;
  }

  /**
   * Discards a round most replicas diverged in: the next attempt starts from the same average at a
   * lower learning rate, or the run stops with advice.
   *
   * @return the learning rate to retry at
   */
  private double rollBack(int round, Loop s, ParameterSum sum, long working, double configuredLr) {
    double current = Double.isNaN(s.learningRate) ? configuredLr : s.learningRate;
    StringBuilder why = new StringBuilder();
    sum.excluded().forEach((p, r) -> why.append(why.length() == 0 ? "" : "; ").append("partition ").append(p)
        .append(": ").append(r));
    String what = String.format(java.util.Locale.ROOT, "training diverged in round %d (epoch %d): %d of %d replicas "
        + "returned unusable results (%s)", round, s.epoch + 1, sum.excluded().size(), working, why);
    if (!guard.reduceLearningRate() || s.rollbacks >= guard.maxRollbacks() || Double.isNaN(current)) {
      throw new TrainingDivergedException(what + (s.rollbacks > 0 ? " after " + s.rollbacks
          + " rollbacks with a lower learning rate" : "") + ". Lower optimizer.learning_rate (now "
          + (Double.isNaN(current) ? "as configured" : (float) current) + "), lower averaging.frequency (now "
          + settings.frequency().k() + ") so replicas drift apart less, or check the training data for NaN or "
          + "extreme values; guard.on_divergence and guard.max_rollbacks control this check.");
    }
    s.rollbacks++;
    double lr = current * guard.learningRateFactor();
    LOG.warn("{}; rolled back to the last average, retrying at learning rate {} (rollback {} of {})", what, (float) lr,
        s.rollbacks, guard.maxRollbacks());
    return lr;
  }

  /** The learning rate of the first layer that has one, or NaN. */
  private static double configuredLearningRate(MultiLayerNetwork net) {
    for (int i = 0; i < net.getnLayers(); i++) {
      Double lr = net.getLearningRate(i);
      if (lr != null) {
        return lr;
      }
    }
    return Double.NaN;
  }

  /**
   * The loop's mutable state between rounds: the averaged state after the last completed round
   * ({@code round}, {@code params}, {@code updater}, {@code samples}) and the planning cursor
   * ({@code planned}, {@code epoch}, {@code step}, {@code iteration}), which runs ahead of it while
   * rounds are in flight.
   */
  private static final class Loop {
    float[] params;
    float[] updater;
    int round;
    int planned;
    int epoch;
    int step;
    int iteration;
    long samples;
    double learningRate = Double.NaN;
    int rollbacks;
    double priorSeconds;

    Loop(float[] params, float[] updater) {
      this.params = params;
      this.updater = updater;
    }

    /** Whether any round is left to plan (moves the cursor past finished epochs). */
    boolean hasNext(int steps, int epochs) {
      while (epoch < epochs && step >= steps) {
        epoch++;
        step = 0;
      }
      return epoch < epochs;
    }

    /** Plans the next round of {@code k} steps and moves the cursor past it. */
    Pending plan(int k, int steps, AveragingSettings set) {
      Pending f = new Pending();
      f.iteration = iteration;
      f.plan = new RoundPlan(++planned, epoch, step, k, set.batchSize(), set.seed(), set.shuffle(), set.numClasses(),
          learningRate);
      // the partition with the most minibatches trains min(k, what is left of its epoch)
      iteration += Math.min(k, steps - step);
      step += k;
      if (step >= steps) {
        epoch++;
        step = 0;
      }
      return f;
    }

    /** Moves the cursor back to where round {@code f} started (it and any later round are discarded). */
    void rewind(Pending f) {
      planned = f.round() - 1;
      epoch = f.plan.epoch();
      step = f.plan.firstStep();
      iteration = f.iteration;
    }

    /** Steps left to plan. */
    int remainingSteps(int steps, int epochs) {
      return (epoch >= epochs ? 0 : steps - step) + Math.max(0, epochs - epoch - 1) * steps;
    }

    static Loop resumed(TrainingState r, MultiLayerNetwork net, INDArray updaterView, int[] counts,
                        FrequencyController k, long seed) {
      if (r.params().length != net.numParams()) {
        throw new IllegalArgumentException("checkpoint holds " + r.params().length + " parameters, the model has "
            + net.numParams());
      }
      if ((r.updater() == null) != (updaterView == null)
          || (r.updater() != null && r.updater().length != updaterView.length())) {
        throw new IllegalArgumentException("checkpoint's updater state ("
            + (r.updater() == null ? "none" : r.updater().length + " values") + ") does not fit this run's ("
            + (updaterView == null ? "none" : updaterView.length() + " values") + ")");
      }
      if (r.seed() != seed) {
        throw new IllegalArgumentException("checkpoint was written with seed " + r.seed() + ", this run has " + seed);
      }
      if (!java.util.Arrays.equals(r.partitionCounts(), counts)) {
        throw new IllegalArgumentException("checkpoint was written for partitions of "
            + java.util.Arrays.toString(r.partitionCounts()) + " examples, this run has "
            + java.util.Arrays.toString(counts));
      }
      Loop s = new Loop(r.params().clone(), r.updater() == null ? null : r.updater().clone());
      s.round = r.round();
      s.planned = r.round();
      s.epoch = r.epoch();
      s.step = r.step();
      s.iteration = r.iteration();
      s.samples = r.samples();
      s.learningRate = r.learningRate();
      s.rollbacks = r.rollbacks();
      s.priorSeconds = r.trainingSeconds();
      if (r.frequency() != null) {
        k.restore(r.frequency());
      }
      return s;
    }

    TrainingState state(String runId, FrequencyController.Snapshot k, int[] counts, int[] batches, double seconds,
                        long seed) {
      return new TrainingState(runId, round, epoch, step, iteration, samples, params, updater, learningRate, rollbacks,
          k, counts.clone(), batches, seconds, seed);
    }
  }

  /**
   * Round 0, before the clock starts: a round of no steps that reads (and so caches) every
   * partition's data, builds its replica in the executor holding it and loads the starting state
   * through the same broadcast and result path the rounds use. The rounds then time training alone,
   * as the single-process engine does (it builds its network and loads its data before its clock).
   */
  private void prepare(JavaSparkContext sc, DistributedDataset data, String runId, Broadcast<String> confJson,
                       Loop s) {
    RoundPlan plan = roundZero(s);
    Broadcast<ModelState> bc = sc.broadcast(new ModelState(s.params, s.updater, s.iteration, s.epoch));
    try {
      Pending f = new Pending();
      f.plan = plan;
      submit(sc, f, TrainRound.rdd(data.blocks().rdd(), new TrainRound(runId, confJson, bc, plan, s.updater != null,
          settings.augmentation())), data.partitions(), GuardSettings.defaults(), Double.NaN);
      await(sc, f, GuardSettings.defaults(), null);
    } finally {
      bc.destroy(false);
    }
  }

  /** Round 0's plan: no steps. */
  private RoundPlan roundZero(Loop s) {
    return new RoundPlan(0, s.epoch, 0, 0, settings.batchSize(), settings.seed(), settings.shuffle(),
        settings.numClasses());
  }

  /** One round on its way: its plan, the cursor it started from, its broadcast and its job. */
  static final class Pending {
    /** Round number, epoch, first step and k of the round. */
    RoundPlan plan;
    /** DL4J's iteration count at the round's start (the cursor's third coordinate). */
    int iteration;
    /** What the round broadcast: the average it started from, the mode, the partitions it restarts. */
    ModelState state;
    Broadcast<ModelState> bc;
    long submitted;
    String group;
    org.apache.spark.SimpleFutureAction<ReplicaUpdate[]> future;
    java.util.function.Supplier<ParameterSum> tree;
    /** The stream the round was posted to (streamed rounds), and its post's number there. */
    RoundStream stream;
    long seq;

    int round() {
      return plan.round();
    }
  }

  /**
   * Submits one round's job. Up to {@link #COLLECT_MAX_PARTITIONS} partitions the job is submitted
   * now, without waiting, and its results are collected, screened by the divergence guard
   * (non-finite values, loss far above the others) and added on the driver in partition order,
   * which is cheaper per round than treeAggregate's extra stage and makes the sum independent of
   * task completion order; beyond that, treeAggregate (run by {@link #await}) keeps the driver's
   * memory and merge work bounded, and a replica's loss is screened against the previous round's
   * median.
   */
  static void submit(JavaSparkContext sc, Pending f, org.apache.spark.rdd.RDD<ReplicaUpdate> updates, int partitions,
                     GuardSettings guard, double previousMedianLoss) {
    f.group = "sparktrain-round-" + f.round() + "-" + UUID.randomUUID();
    if (partitions > COLLECT_MAX_PARTITIONS) {
      // The results meet only in the tree, so a replica's loss is compared with the previous
      // round's median instead of this round's.
      ParameterSum.Add add = guard.maxLossRatio() > 0 && previousMedianLoss > 0
          ? new ParameterSum.Add(guard.maxLossRatio() * previousMedianLoss, trim(guard.maxLossRatio())
              + " x the previous round's median " + String.format(java.util.Locale.ROOT, "%.4g", previousMedianLoss))
          : new ParameterSum.Add();
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

  /**
   * Waits for a submitted round and sums its results. With {@code guard.roundTimeoutSeconds > 0} a
   * watchdog cancels the job when it runs too long, counted from when the driver starts waiting for
   * this round (in overlapped averaging, when the round before it has finished).
   */
  static ParameterSum await(JavaSparkContext sc, Pending f, GuardSettings guard, RunningTasks tasks) {
    java.util.concurrent.atomic.AtomicReference<String> timedOut = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.ScheduledFuture<?> watchdog = guard.roundTimeoutSeconds() <= 0 ? null
        : WATCHDOG.schedule(() -> {
          timedOut.set((f.stream != null ? "partitions " + f.stream.missing() + " had not returned the round; "
              : "") + describeRunning(sc, f.group, tasks));
          sc.cancelJobGroup(f.group);
        }, guard.roundTimeoutSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    try {
      if (f.tree != null) {
        sc.setJobGroup(f.group, "sparktrain round " + f.round(), true);
        try {
          return f.tree.get();
        } finally {
          sc.clearJobGroup();
        }
      }
      if (f.stream != null) {
        return screenAndSum(f.stream.await(f), guard.maxLossRatio());
      }
      return screenAndSum(TrainRound.results(f.future.get()), guard.maxLossRatio());
    } catch (Exception e) { // Spark's SparkException is checked but thrown undeclared
      if (timedOut.get() != null) {
        throw new RoundTimeoutException("round " + f.round() + " did not finish within guard.round_timeout_seconds="
            + guard.roundTimeoutSeconds() + " and was cancelled: " + timedOut.get() + ". Check that executor's log "
            + "for a stuck task, or raise guard.round_timeout_seconds if rounds are legitimately this slow.");
      }
      throw ParameterAveragingTrainer.<RuntimeException>sneaky(e);
    } finally {
      if (watchdog != null) {
        watchdog.cancel(false);
      }
    }
  }

  /** Cancels the rounds still in flight and waits until Spark has given up on them. */
  static void discard(JavaSparkContext sc, java.util.Deque<Pending> flight) {
    for (Pending f : flight) {
      if (f.future != null) {
        sc.cancelJobGroup(f.group);
        try {
          f.future.get();
        } catch (Exception expected) { // cancelled
          LOG.debug("round {} discarded: {}", f.round(), expected.getMessage());
        }
      }
      if (f.bc != null) {
        f.bc.destroy(false);
      }
    }
    flight.clear();
  }

  /**
   * Adds the results in order, leaving out any whose loss exceeds {@code maxLossRatio} times the
   * median loss of the others ({@link ParameterSum#add} leaves out non-finite ones).
   */
  static ParameterSum screenAndSum(List<ReplicaUpdate> all, double maxLossRatio) {
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (ReplicaUpdate u : all) {
      if (!seen.add(u.partition())) {
        // cannot happen with Spark's one-result-per-partition contract; averaging twice would be silent
        throw new IllegalStateException("partition " + u.partition() + " returned two results in one round");
      }
    }
    ParameterSum sum = new ParameterSum();
    double[] losses = all.stream().mapToDouble(ReplicaUpdate::meanLoss).filter(Double::isFinite).toArray();
    for (ReplicaUpdate u : all) {
      double loss = u.meanLoss();
      if (maxLossRatio > 0 && Double.isFinite(loss) && losses.length > 1) {
        double others = medianWithout(losses, loss);
        if (loss > maxLossRatio * others && others > 0) {
          sum.exclude(u, String.format(java.util.Locale.ROOT, "loss %.4g is over %s x the median %.4g of the other "
              + "replicas", loss, trim(maxLossRatio), others));
          continue;
        }
      }
      sum.add(u);
    }
    return sum.average();
  }

  /** Median loss of the replicas that were averaged (NaN when none). */
  static double medianLoss(List<WorkerStats> workers) {
    return median(workers.stream().filter(w -> w.examples() > 0 && w.excluded() == null && Double.isFinite(w.loss()))
        .mapToDouble(WorkerStats::loss).toArray());
  }

  /** Median of {@code values} (sorted in place); NaN when empty. */
  private static double median(double[] values) {
    int n = values.length;
    if (n == 0) {
      return Double.NaN;
    }
    java.util.Arrays.sort(values);
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  /** Median of {@code values} with one occurrence of {@code skip} removed. */
  private static double medianWithout(double[] values, double skip) {
    double[] rest = new double[values.length - 1];
    boolean skipped = false;
    int j = 0;
    for (double v : values) {
      if (!skipped && v == skip) {
        skipped = true;
        continue;
      }
      if (j < rest.length) {
        rest[j++] = v;
      }
    }
    return median(rest);
  }

  private static String describeRunning(JavaSparkContext sc, String group, RunningTasks tasks) {
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

  private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sparktrain-round-watchdog");
        t.setDaemon(true);
        return t;
      });

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E sneaky(Exception e) throws E {
    throw (E) e;
  }

  /** Collect-and-sum below this many partitions, treeAggregate above. */
  static final int COLLECT_MAX_PARTITIONS = 32;

}
