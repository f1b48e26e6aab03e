package org.sparktrain.kernels.train;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.prune.MaskApplier;
import org.sparktrain.kernels.prune.PruningMask;

/**
 * One model replica: a network built once and trained round after round on one partition.
 * One task uses it at a time: tasks take it with {@link #acquire} and give it back with {@link #release}.
 */
public final class Replica {
  private final Network net;
  private double learningRate;
  private List<Object> planKey;
  private BatchPlan cachedPlan;
  private final OverlapCorrection overlap = new OverlapCorrection();
  private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
  private final java.util.concurrent.locks.Condition advanced = lock.newCondition();
  private double lastTaskSeconds;
  private long begunNanos;
  /** The last round this replica finished training; -1 before the first. */
  private int lastRound = -1;
  /** Set while a round runs on the replica: a round that did not finish leaves it in an unknown state. */
  private boolean dirty;
  /** The round at whose start the replica was last set to an average. */
  private int resetAt;
  /** Holds the pruned weights at zero after every update; null when nothing is pruned. */
  private MaskApplier pruning;

  /** A replica of a freshly initialised network (weights from the spec's seed). */
  public Replica(ModelSpec spec) {
    this.net = spec.build();
    this.learningRate = Double.NaN;
  }

  public Network network() {
    return net;
  }

  /**
   * Takes the replica for one task, waiting while another task uses it. Interruptible, so a
   * cancelled job frees the waiting task.
   *
   * <p>With {@code inOrder} (overlapped rounds that continue from the replica's own state) it also
   * waits for the previous round to finish here: two consecutive rounds' tasks can start at the same
   * moment when there are free slots, and the later one must not take the replica first. It waits
   * at most {@code max(2 s, 3 x the replica's last task)}: a previous round that runs elsewhere
   * (its executor was lost, or it did not get its preferred executor) never arrives, and this
   * round then restarts the replica from the broadcast average.
   */
  public void acquire(int round, boolean inOrder) throws InterruptedException {
    lock.lockInterruptibly();
    if (!inOrder) {
      return;
    }
    long deadline = System.nanoTime() + (long) (Math.max(2.0, 3 * lastTaskSeconds) * 1e9);
    while (lastRound >= 0 && lastRound < round - 1 && !dirty) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      advanced.awaitNanos(left);
    }
  }

  /** Gives the replica back after {@link #acquire}, waking a task waiting for this round. */
  public void release() {
    advanced.signalAll();
    lock.unlock();
  }

  /** The last round this replica finished training; -1 before the first. */
  public int lastRound() {
    return lastRound;
  }

  /**
   * Brings the replica to round {@code round}'s starting point as {@code st} says: from the
   * broadcast average ({@link ModelState.Mode#RESET}, and always when the replica did not train
   * the previous round here or a previous task failed on it), from its own state, or from its own
   * state corrected by the overlapped average.
   *
   * @return {@code "reset"}, {@code "continue"} or {@code "correct"}
   */
  public String begin(ModelState st, int round, int partition) {
    boolean reset = st.mode() == ModelState.Mode.RESET || st.resets(partition) || dirty || lastRound != round - 1;
    // An average older than the replica's own restart says nothing about its current state: the
    // restart already put it on an average, so it just continues (the next average corrects it).
    boolean correct = !reset && st.mode() == ModelState.Mode.CORRECT && st.baseRound() >= resetAt;
    if (correct && !overlap.has(st.baseRound())) {
      reset = true;
      correct = false;
    }
    dirty = true;
    begunNanos = System.nanoTime();
    if (reset) {
      load(st);
      overlap.reset();
      resetAt = round;
      prune(st.mask());
      return "reset";
    }
    if (correct) {
      float[] x = FloatArrays.flat(net.params());
      float[] u = st.updaterState() != null ? updaterState() : null;
      overlap.correct(st.baseRound(), x, st.params(), u, st.updaterState(), st.gain());
      FloatArrays.assign(net.params(), x);
      if (u != null) {
        FloatArrays.assign(updaterView(), u);
      }
    }
    net.setIterationCount(st.iteration());
    net.setEpochCount(st.epoch());
    prune(st.mask());
    return correct ? "correct" : "continue";
  }

  /**
   * Holds the weights {@code mask} prunes at exactly zero from now on (null: prune nothing); applies it
   * to the current parameters and updater state at once.
   */
  public void prune(PruningMask mask) {
    if (mask == null || mask.prunedCount() == 0) {
      pruning = null;
      return;
    }
    if (pruning == null || !pruning.mask().equals(mask)) {
      pruning = new MaskApplier(mask, net);
    }
    pruning.apply(net);
  }

  /**
   * Records that round {@code round} finished with {@code result}; in overlapped averaging the
   * replica remembers the result to correct against that round's average later.
   */
  public void finish(int round, ReplicaUpdate result, boolean overlapped) {
    if (overlapped) {
      overlap.remember(round, result.params(), result.updaterState());
    }
    lastRound = round;
    dirty = false;
    lastTaskSeconds = (System.nanoTime() - begunNanos) / 1e9;
  }

  /** Loads parameters, updater state (when given) and counters from the broadcast state. */
  private void load(ModelState state) {
    INDArray p = net.params();
    if (p.length() != state.params().length) {
      throw new IllegalStateException("broadcast holds " + state.params().length + " parameters, replica has "
          + p.length());
    }
    FloatArrays.assign(p, state.params());
    if (state.updaterState() != null) {
      INDArray u = updaterView();
      if (u == null || u.length() != state.updaterState().length) {
        throw new IllegalStateException("broadcast updater state has " + state.updaterState().length
            + " values, replica has " + (u == null ? 0 : u.length()));
      }
      FloatArrays.assign(u, state.updaterState());
    }
    net.setIterationCount(state.iteration());
    net.setEpochCount(state.epoch());
  }

  /**
   * Trains the round's minibatches of {@code block}, augmented by {@code aug}, and returns the result.
   *
   * @param withUpdater whether to return the updater state
   * @param start the parameters the round started from (for the update's norm), or null
   * @param loadSeconds time spent loading the round's state, reported back
   * @param device what the replica runs on, reported back
   */
  public ReplicaUpdate train(ExampleBlock block, RoundPlan plan, int partition, boolean withUpdater, String worker,
                             float[] start, double loadSeconds, String device, AugmentationPipeline aug) {
    applyLearningRate(plan.learningRate());
    // Anything random inside the network (dropout, noise layers) draws from a stream fixed by
    // (seed, round, partition): a retried or resumed round trains exactly as the first attempt did.
    Nd4j.getRandom().setSeed(BatchPlan.mix(plan.seed(), plan.round(), partition, -1));
    BatchPlan batches = batchPlan(block.count() * aug.copies(), plan, partition);
    int last = Math.min(batches.batches(), plan.firstStep() + plan.steps());
    long examples = 0;
    int trained = 0;
    double lossSum = 0;
    long computeNanos = 0;
    long dataNanos = 0;
    for (int step = plan.firstStep(); step < last; step++) {
      long t0 = System.nanoTime();
      DataSet ds = reusedMinibatch(block, batches.batch(step), plan.numClasses(), aug, plan.seed(), plan.epoch());
      long t1 = System.nanoTime();
      net.fit(ds);
      if (pruning != null) {
        pruning.apply(net);
      }
      // hooks (test faults) run inside the step's compute time: a slowed replica looks like a slow one
      if (!HOOKS.isEmpty()) {
        hooks(step == plan.firstStep(), step == last - 1, plan.round(), partition);
      }
      long t2 = System.nanoTime();
      int n = ds.numExamples();
      lossSum += net.score() * n;
      examples += n;
      trained++;
      dataNanos += t1 - t0;
      computeNanos += t2 - t1;
    }
    float[] params = FloatArrays.flat(net.params());
    double delta = 0;
    if (start != null) {
      for (int i = 0; i < params.length; i++) {
        double d = params[i] - start[i];
        delta += d * d;
      }
    }
    return ReplicaUpdate.builder().partition(partition).params(params)
        .updaterState(withUpdater ? updaterState() : null).examples(examples).batches(trained).lossSum(lossSum)
        .computeSeconds(computeNanos / 1e9).dataSeconds(dataNanos / 1e9).loadSeconds(loadSeconds)
        .deltaSquaredNorm(delta).worker(worker).device(device).build();
  }

  /**
   * Switches to {@code lr} (NaN: keep the configured rate). Rates set by the divergence guard are
   * only ever lowered from the configured one, and a plan without a rate after one with a rate
   * cannot happen within a run, so the configured rate never needs restoring.
   */
  private void applyLearningRate(double lr) {
    if (Double.isNaN(lr) || lr == learningRate) {
      return;
    }
    net.setLearningRate(lr);
    learningRate = lr;
  }

  /**
   * The epoch's batch order, kept between rounds: a permutation depends only on its coordinates, so
   * it is shuffled once per epoch instead of once per round.
   */
  private BatchPlan batchPlan(int count, RoundPlan plan, int partition) {
    List<Object> key = List.of(count, plan.batchSize(), plan.seed(), plan.epoch(), partition, plan.shuffle());
    if (!key.equals(planKey)) {
      cachedPlan = BatchPlan.of(count, plan.batchSize(), plan.seed(), plan.epoch(), partition, plan.shuffle());
      planKey = key;
    }
    return cachedPlan;
  }

  /** The current updater state as a flat array, or null when the optimiser keeps none. */
  public float[] updaterState() {
    INDArray u = updaterView();
    return u == null ? null : FloatArrays.flat(u);
  }

  private INDArray updaterView() {
    return net.updaterState();
  }

  private static final List<ReplicaHook> HOOKS = ReplicaHook.installed();

  private void hooks(boolean first, boolean lastStep, int round, int partition) {
    for (ReplicaHook h : HOOKS) {
      if (first) {
        h.afterFirstStep(round, partition);
      }
      if (lastStep && h.poisons(round, partition)) {
        net.params().assign(Float.NaN);
      }
    }
  }

  /**
   * The replica's own minibatch, written into arrays it keeps per batch size
   * ({@link Minibatches.Buffer}): the same values as {@link Minibatches#dataSet}.
   */
  private DataSet reusedMinibatch(ExampleBlock block, int[] virtual, int numClasses, AugmentationPipeline aug,
                                  long seed, int epoch) {
    Minibatches.Buffer b = buffers.get(virtual.length);
    if (b == null || !b.fits(block, virtual.length, numClasses)) {
      b = new Minibatches.Buffer(block, virtual.length, numClasses);
      buffers.put(virtual.length, b);
    }
    return b.fill(block, virtual, numClasses, aug, seed, epoch);
  }

  private final java.util.Map<Integer, Minibatches.Buffer> buffers = new java.util.HashMap<>();

}
