package org.sparktrain.driver.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.DistributedDataset;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaCache;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * Parameter averaging on Spark. Each round: hand the current average to every partition's
 * persistent replica, let it train {@code k} minibatches from its cursor, screen the results
 * (divergence guard), sum them weighted by examples, divide on the driver, tell the listeners and
 * the checkpointer. Rounds travel through a {@link RoundTransport}: streamed to one long task per
 * partition, or one Spark job per round. A task Spark retries (failed task, lost executor) rebuilds
 * its replica from the round's average and trains the same batches, and each partition's first
 * result counts once.
 *
 * <p>Synchronous by default: a round starts when the previous one is averaged. With
 * {@link AveragingSettings#overlap()} two rounds are in flight and replicas apply each average one
 * round late ({@link org.sparktrain.kernels.train.OverlapCorrection}); the pipeline drains before
 * every checkpoint, so checkpoints stay exact.
 */
public final class ParameterAveragingTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTrainer.class);

  /** Collect-and-sum up to this many partitions, treeAggregate above. */
  static final int COLLECT_MAX_PARTITIONS = JobRounds.COLLECT_MAX_PARTITIONS;

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

  /** Trains the model {@code spec} describes (initialised from its seed) on {@code data} under a fresh run id. */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, ModelSpec spec) {
    return fit(sc, data, spec, UUID.randomUUID().toString());
  }

  /**
   * Trains the model {@code spec} describes (initialised from its seed) on {@code data}.
   *
   * @param runId keys the executors' persistent replicas; unique per run
   */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, ModelSpec spec, String runId) {
    return fit(sc, data, spec, runId, null, Checkpointer.NONE);
  }

  /**
   * Trains on {@code data}, from the model's seeded initialisation or from a checkpointed state.
   *
   * @param runId keys the executors' persistent replicas; unique per run
   * @param resume the state to continue from, or null to start fresh
   * @param checkpointer told after every round
   */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, ModelSpec spec, String runId,
                            TrainingState resume, Checkpointer checkpointer) {
    return fit(sc, data, spec, runId, resume, checkpointer, null);
  }

  /**
   * Trains on {@code data} from {@code initial} parameters and optimiser state (a warm start; with
   * {@code averaging.updater_state: false} the replicas' own optimiser states start fresh), from a
   * checkpointed state, or (both null) from the model's seeded initialisation.
   */
  public TrainingResult fit(JavaSparkContext sc, DistributedDataset data, ModelSpec spec, String runId,
                            TrainingState resume, Checkpointer checkpointer, InitialState initial) {
    return new Run(sc, data, spec, runId, resume, checkpointer, initial).train();
  }

  /** One run of the loop: what it trains, where it stands, what it measured. */
  private final class Run {
    private final JavaSparkContext sc;
    private final DistributedDataset data;
    private final ModelSpec spec;
    private final String runId;
    private final TrainingState resume;
    private final Checkpointer checkpointer;
    private final Network net;
    private final INDArray updaterView;
    private final int[] counts;
    private final int[] batches;
    private final int steps;
    private final FrequencyController k;
    private final Cursor s;
    private final double configuredLr;
    private final boolean overlap;
    private final DivergenceGuard divergence = new DivergenceGuard(guard);
    private final String noStream;
    private final List<RoundStats> rounds = new ArrayList<>();
    private final Deque<PendingRound> flight = new ArrayDeque<>();
    private long start;
    private long lastDone;
    private long jobNanos;
    private long checkpointNanos;
    private int drains;
    private long restarts;
    private double previousMedianLoss = Double.NaN;
    /** Partitions the next round restarts from the average (left out of this one's). */
    private int[] resetNext = new int[0];
    /** The last round every replica restarted from the average. */
    private int lastReset = Integer.MAX_VALUE;
    /** Computes pruning masks from the averages; null without pruning. */
    private final PruningControl pruning;

    Run(JavaSparkContext sc, DistributedDataset data, ModelSpec spec, String runId, TrainingState resume,
        Checkpointer checkpointer, InitialState initial) {
      this.sc = sc;
      this.data = data;
      this.spec = spec;
      this.runId = runId;
      this.resume = resume;
      this.checkpointer = checkpointer;
      this.net = resume == null && initial != null ? spec.build(initial.params()) : spec.build();
      if (resume == null && initial != null && initial.updater() != null) {
        if (net.updaterState() == null || net.updaterState().length() != initial.updater().length) {
          throw new IllegalArgumentException("the warm start's optimiser state has " + initial.updater().length
              + " values, this model's " + (net.updaterState() == null ? 0 : net.updaterState().length()));
        }
        net.updaterState().assign(org.nd4j.linalg.factory.Nd4j.createFromArray(initial.updater())
            .reshape(net.updaterState().shape()).castTo(net.updaterState().dataType()));
        net.setIterationCount(initial.iteration());
      }
      this.updaterView = settings.averageUpdater() ? net.updaterState() : null;
      this.counts = data.partitionCounts();
      this.batches = batchesPerPartition(counts);
      this.steps = java.util.Arrays.stream(batches).max().orElse(0);
      this.k = settings.frequency().controller();
      this.s = resume == null
          ? new Cursor(FloatArrays.flat(net.params()), updaterView == null ? null : FloatArrays.flat(updaterView))
          : Cursor.resumed(resume, net, updaterView, counts, k, settings.seed());
      if (resume == null && initial != null) {
        s.iteration = initial.iteration();
      }
      this.configuredLr = net.configuredLearningRate();
      this.overlap = settings.overlap() && data.partitions() <= COLLECT_MAX_PARTITIONS;
      if (settings.overlap() && !overlap) {
        LOG.warn("averaging.overlap is limited to {} partitions (results are collected on the driver); this run "
            + "has {}: rounds run synchronously through treeAggregate", COLLECT_MAX_PARTITIONS, data.partitions());
      }
      this.pruning = settings.pruning() == null ? null
          : new PruningControl(settings.pruning(), net, (long) steps * settings.epochs());
      this.noStream = !settings.stream() ? null : RoundStream.whyNot(sc, data);
      if (noStream != null) {
        LOG.warn("averaging.transport is stream but {}: running one Spark job per round", noStream);
      }
    }

    TrainingResult train() {
      Broadcast<ModelSpec> specBc = sc.broadcast(spec);
      LOG.info("run {}: {} partitions, {} steps/epoch x {} epochs, {}, batch {} per replica, {} parameters{}{}", runId,
          data.partitions(), steps, settings.epochs(), k.describe(), settings.batchSize(), s.params.length,
          s.updater != null ? " + " + s.updater.length + " updater state" : "",
          resume != null ? ", resuming after round " + resume.round() + " (epoch " + (resume.epoch() + 1) + ", step "
              + resume.step() + ")" : "");
      RoundTransport.Rounds r = new RoundTransport.Rounds(sc, data, runId, specBc, s.updater != null,
          settings.augmentation(), divergence);
      RoundTransport transport = settings.stream() && noStream == null ? new StreamedRounds(r) : new JobRounds(r);
      long setup = System.nanoTime();
      start = setup;
      // a one-shot prune at step 0 (the prune job) or a resumed run: the mask is in force from round 1
      prune((long) s.epoch * steps + s.step, s.round);
      try {
        transport.start(roundZero());
        start = System.nanoTime();
        lastDone = start;
        TrainingListener.RunStart info = new TrainingListener.RunStart(runId, data.partitions(), steps,
            settings.epochs(), s.params.length, resume == null ? 0 : resume.round());
        listeners.forEach(l -> l.onRunStart(info));
        while (true) {
          submitRounds(transport);
          if (flight.isEmpty()) {
            break;
          }
          complete(transport, flight.removeFirst());
        }
      } finally {
        try {
          transport.discard(flight);
          transport.close();
        } finally {
          checkpointer.close();
          ReplicaCache.release(runId);
          specBc.destroy(false);
        }
      }
      return result(transport, (start - setup) / 1e9);
    }

    /**
     * Keeps {@code depth} rounds in flight. Overlapped averaging lets the pipeline drain before a
     * round that must be consistent (a checkpoint), so the next round restarts every replica from it.
     */
    private void submitRounds(RoundTransport transport) {
      int depth = overlap ? 2 : 1;
      while (flight.size() < depth && s.hasNext(steps, settings.epochs())) {
        if (!flight.isEmpty() && checkpointer.dueAfter(flight.size())) {
          drains++;
          break;
        }
        long t0 = System.nanoTime();
        PendingRound f = s.plan(k.next(), steps, settings);
        ModelState.Mode mode = !overlap || flight.isEmpty() ? ModelState.Mode.RESET
            : s.round >= lastReset ? ModelState.Mode.CORRECT : ModelState.Mode.CONTINUE;
        if (mode == ModelState.Mode.RESET) {
          lastReset = f.round();
        }
        f.state = new ModelState(s.params, s.updater, f.iteration, f.plan.epoch(), mode, s.round, overlap,
            resetNext, (float) settings.overlapGain(), s.mask);
        resetNext = new int[0];
        f.submitted = t0;
        transport.submit(f, previousMedianLoss);
        flight.addLast(f);
        for (TrainingListener l : listeners) {
          l.onRoundStart(f.plan);
        }
      }
    }

    /** Waits for round {@code f}, then screens, averages, reports and checkpoints it (or rolls it back). */
    private void complete(RoundTransport transport, PendingRound f) {
      long t1 = System.nanoTime();
      ParameterSum sum = transport.await(f);
      jobNanos += System.nanoTime() - t1;
      transport.finished(f);
      List<WorkerStats> workers = sum.workers();
      switch (divergence.review(f.round(), sum)) {
        case ROLL_BACK -> {
          // Rounds already running started from the diverged replicas: discard them too.
          transport.discard(flight);
          s.rewind(f);
          double current = Double.isNaN(s.learningRate) ? configuredLr : s.learningRate;
          s.learningRate = divergence.rollBack(f.round(), s.epoch, sum, current, s.rollbacks,
              settings.frequency().k());
          s.rollbacks++;
          for (TrainingListener l : listeners) {
            l.onRollback(f.round(), s.learningRate);
          }
          lastReset = Integer.MAX_VALUE;
          resetNext = new int[0];
          return;
        }
        // A partition the round already running restarts anyway needs no second restart.
        case AVERAGE_WITHOUT_EXCLUDED -> resetNext = DivergenceGuard.restarts(sum.excluded(),
            flight.isEmpty() ? new int[0] : flight.peekFirst().state.resetPartitions());
        case AVERAGE -> { }
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
        averaged(f, sum.examples());
        prune(Math.min((long) (f.plan.epoch() + 1) * steps,
            (long) f.plan.epoch() * steps + f.plan.firstStep() + f.plan.steps()), f.round());
      }
      previousMedianLoss = DivergenceGuard.medianLoss(workers);
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
      report(f, stats);
      checkpoint(f);
    }

    /**
     * Brings the mask up to the schedule after {@code stepsDone} minibatch steps and zeroes it into the
     * average (and, when the mask grew, into the averaged optimiser state).
     */
    private void prune(long stepsDone, int round) {
      if (pruning == null) {
        return;
      }
      org.sparktrain.kernels.prune.PruningMask next = pruning.update(stepsDone, s.params, s.mask);
      if (next == null) {
        return;
      }
      boolean grew = !next.equals(s.mask);
      if (grew) {
        s.updater = pruning.zeroState(next, s.updater);
      }
      s.mask = next;
      s.params = next.zero(s.params.clone());
      if (grew) {
        double sparsity = pruning.schedule().at(stepsDone);
        for (TrainingListener l : listeners) {
          l.onPruned(round, stepsDone, sparsity, next);
        }
      }
    }

    /** Tells the listeners of the round's average and lets them transform it. */
    private void averaged(PendingRound f, long examples) {
      if (listeners.isEmpty()) {
        return;
      }
      TrainingListener.AveragedRound avg = new TrainingListener.AveragedRound(f.round(), f.plan.epoch() + 1,
          s.params, s.updater, examples);
      for (TrainingListener l : listeners) {
        l.onRoundAveraged(avg);
      }
      for (TrainingListener l : listeners) {
        float[] t = l.transformAverage(avg);
        if (t != avg.params()) {
          if (t == null || t.length != s.params.length) {
            throw new IllegalStateException(l.getClass().getName() + ".transformAverage returned "
                + (t == null ? "null" : t.length + " values") + " for " + s.params.length + " parameters");
          }
          s.params = t;
          avg = new TrainingListener.AveragedRound(avg.round(), avg.epoch(), t, avg.updater(), examples);
        }
      }
    }

    private void report(PendingRound f, RoundStats stats) {
      double elapsed = (System.nanoTime() - start) / 1e9;
      int totalRounds = f.round() + flight.size() + (s.remainingSteps(steps, settings.epochs()) + k.next() - 1)
          / k.next();
      for (TrainingListener l : listeners) {
        l.onRound(stats, totalRounds, elapsed, s.samples - (resume == null ? 0 : resume.samples()));
      }
      if (f.plan.firstStep() + f.plan.steps() >= steps) {
        for (TrainingListener l : listeners) {
          l.onEpochEnd(f.plan.epoch() + 1, stats);
        }
      }
    }

    private void checkpoint(PendingRound f) {
      long c0 = System.nanoTime();
      boolean taken = false;
      if (flight.isEmpty()) {
        // nothing runs past this round: the average alone resumes the run exactly
        double before = s.priorSeconds + (c0 - start) / 1e9;
        taken = checkpointer.afterRound(() -> s.state(runId, k.snapshot(), counts, batches, before, settings.seed()),
            !s.hasNext(steps, settings.epochs()));
      } else {
        checkpointer.afterInconsistentRound();
      }
      checkpointNanos += System.nanoTime() - c0;
      if (taken) {
        for (TrainingListener l : listeners) {
          l.onCheckpoint(f.round());
        }
      }
    }

    /** Round 0's plan and state: no steps, from the starting state. */
    private PendingRound roundZero() {
      PendingRound zero = new PendingRound();
      zero.plan = new RoundPlan(0, s.epoch, 0, 0, settings.batchSize(), settings.seed(), settings.shuffle(),
          settings.numClasses());
      zero.state = new ModelState(s.params, s.updater, s.iteration, s.epoch, ModelState.Mode.RESET, 0, false, null, 1f,
          s.mask);
      return zero;
    }

    private TrainingResult result(RoundTransport transport, double setupSeconds) {
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
      boolean streamed = transport instanceof StreamedRounds;
      RunTelemetry t = new RunTelemetry(k.isAuto(), k.next(), k.describe(), overlap, transport.name(), noStream,
          settings.overlapGain(), drains, restarts, setupSeconds, transport.broadcastNanos / 1e9, jobNanos / 1e9,
          checkpointNanos / 1e9, divergence.excludedReplicas(), s.rollbacks, RunTelemetry.retriedTasks(rounds, streamed),
          s.learningRate, resume == null ? -1 : resume.round(), resume == null ? 0 : resume.trainingSeconds());
      TrainingResult result = new TrainingResult(net, rounds, s.samples - (resume == null ? 0 : resume.samples()),
          wall, t.toMap(), s.mask);
      LOG.info("run {}: {} rounds ({}), {} samples/s, sync fraction {}, straggler spread {}, mean k {}, {}", runId,
          rounds.size(), streamed ? "streamed" : overlap ? "one job each, overlapped" : "one job each",
          Math.round(result.samplesPerSecond()), String.format("%.3f", result.syncFraction()),
          String.format("%.3f", result.stragglerSpread()), String.format("%.1f", result.meanK()), k.describe());
      for (TrainingListener l : listeners) {
        l.onRunEnd(result);
      }
      return result;
    }
  }
}
