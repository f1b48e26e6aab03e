package org.sparktrain.driver.train;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.kernels.train.ReplicaUpdate;

/**
 * The divergence guard: screens a round's results (non-finite values, a loss far above the other
 * replicas'), and decides whether the round is averaged without the replicas it left out or rolled
 * back to the last average and retried at a lower learning rate, or whether the run stops.
 */
final class DivergenceGuard {
  private static final Logger LOG = LoggerFactory.getLogger(DivergenceGuard.class);

  /** What to do with a round after screening. */
  enum Verdict {
    /** Average every replica's result. */
    AVERAGE,
    /** Average the rest; the replicas left out restart from the average. */
    AVERAGE_WITHOUT_EXCLUDED,
    /** Discard the round and retry it from the last average ({@link #rollBack} gives the new rate). */
    ROLL_BACK
  }

  private final GuardSettings settings;
  private int excludedReplicas;

  DivergenceGuard(GuardSettings settings) {
    this.settings = settings;
  }

  GuardSettings settings() {
    return settings;
  }

  /** Replicas left out of averages so far. */
  int excludedReplicas() {
    return excludedReplicas;
  }

  /** Judges a screened round of {@code round}. */
  Verdict review(int round, ParameterSum sum) {
    if (sum.excluded().isEmpty()) {
      return Verdict.AVERAGE;
    }
    long working = working(sum);
    excludedReplicas += sum.excluded().size();
    sum.excluded().forEach((p, why) -> LOG.warn("round {}: replica of partition {} left out of the average: {}",
        round, p, why));
    return sum.examples() == 0 || sum.excluded().size() > settings.maxDivergedFraction() * working
        ? Verdict.ROLL_BACK : Verdict.AVERAGE_WITHOUT_EXCLUDED;
  }

  private static long working(ParameterSum sum) {
    return sum.workers().stream().filter(w -> w.examples() > 0).count();
  }

  /**
   * Discards a round most replicas diverged in: the next attempt starts from the same average at a
   * lower learning rate, or the run stops with advice.
   *
   * @param current the learning rate the round ran at
   * @param rollbacks rollbacks before this one
   * @param k the configured averaging frequency, for the advice
   * @return the learning rate to retry at
   * @throws TrainingDivergedException when the guard says stop or no rollback is left
   */
  double rollBack(int round, int epoch, ParameterSum sum, double current, int rollbacks, int k) {
    long working = working(sum);
    StringBuilder why = new StringBuilder();
    sum.excluded().forEach((p, r) -> why.append(why.length() == 0 ? "" : "; ").append("partition ").append(p)
        .append(": ").append(r));
    String what = String.format(Locale.ROOT, "training diverged in round %d (epoch %d): %d of %d replicas "
        + "returned unusable results (%s)", round, epoch + 1, sum.excluded().size(), working, why);
    if (!settings.reduceLearningRate() || rollbacks >= settings.maxRollbacks() || Double.isNaN(current)) {
      throw new TrainingDivergedException(what + (rollbacks > 0 ? " after " + rollbacks
          + " rollbacks with a lower learning rate" : "") + ". Lower optimizer.learning_rate (now "
          + (Double.isNaN(current) ? "as configured" : (float) current) + "), lower averaging.frequency (now "
          + k + ") so replicas drift apart less, or check the training data for NaN or "
          + "extreme values; guard.on_divergence and guard.max_rollbacks control this check.");
    }
    double lr = current * settings.learningRateFactor();
    LOG.warn("{}; rolled back to the last average, retrying at learning rate {} (rollback {} of {})", what, (float) lr,
        rollbacks + 1, settings.maxRollbacks());
    return lr;
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
          sum.exclude(u, String.format(Locale.ROOT, "loss %.4g is over %s x the median %.4g of the other "
              + "replicas", loss, trim(maxLossRatio), others));
          continue;
        }
      }
      sum.add(u);
    }
    return sum.average();
  }

  /**
   * The loss screen of a round summed by treeAggregate, where results meet only in the tree: a
   * replica's loss is compared with the previous round's median instead of this round's.
   */
  ParameterSum.Add treeScreen(double previousMedianLoss) {
    return settings.maxLossRatio() > 0 && previousMedianLoss > 0
        ? new ParameterSum.Add(settings.maxLossRatio() * previousMedianLoss, trim(settings.maxLossRatio())
            + " x the previous round's median " + String.format(Locale.ROOT, "%.4g", previousMedianLoss))
        : new ParameterSum.Add();
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

  static String trim(double v) {
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

  /** Partitions left out of {@code sum} that the next round must restart, less those it restarts anyway. */
  static int[] restarts(Map<Integer, String> excluded, int[] alreadyRestarting) {
    java.util.Set<Integer> restarting = new java.util.HashSet<>();
    for (int p : alreadyRestarting) {
      restarting.add(p);
    }
    return excluded.keySet().stream().filter(p -> !restarting.contains(p)).mapToInt(Integer::intValue).toArray();
  }
}
