package org.sparktrain.driver.config;

import java.util.List;
import java.util.function.Function;
import org.sparktrain.kernels.model.OptimizerSpec;

/**
 * Every config key sparktrain knows, declared once. To add a key: add its field to the
 * {@link TrainConfig} record, its default to {@code defaults.yaml}, its declaration here (type,
 * default, allowed values and check, doc, resume rule) and its README row; {@code ConfigKeysTest}
 * fails until all four agree.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  private static final boolean RESUME_MAY_DIFFER = true;
  private static final boolean RESUME_SAME = false;

  private static ConfigKey key(String name, String type, Object dflt, String allowed, String doc, boolean resume,
                               Function<TrainConfig, Object> value, Function<Object, String> check) {
    return new ConfigKey(name, type, dflt, allowed, doc, resume, value, check);
  }

  /** The allowed column of a choice key: its enum's spellings. */
  private static <E extends Enum<E> & Choices.Choice> String allowed(Class<E> type) {
    return String.join(", ", Choices.names(type));
  }

  private static Function<Object, String> open(double lo, double hi, boolean loIn, boolean hiIn, String allowed) {
    return v -> {
      double x = ((Number) v).doubleValue();
      boolean ok = (loIn ? x >= lo : x > lo) && (hiIn ? x <= hi : x < hi);
      return ok ? null : x + " is out of range; allowed: " + allowed;
    };
  }

  /** The declarations, in the order of {@code defaults.yaml}. */
  public static final List<ConfigKey> ALL = List.of(
      key("engine", "enum", "sparktrain", allowed(Choices.Engine.class), "who trains", RESUME_SAME,
          TrainConfig::engine, ConfigKey.oneOf(Choices.names(Choices.Engine.class), "is not an engine")),
      key("device", "enum", "auto", allowed(Choices.Device.class), "bind replicas to Spark-assigned GPUs", RESUME_MAY_DIFFER,
          TrainConfig::device, ConfigKey.oneOf(Choices.names(Choices.Device.class), "is not allowed")),
      key("data.format", "enum", "idx", allowed(Choices.DataFormat.class), "IDX files, an image-folder tree, or a table / columnar files", RESUME_SAME,
          c -> c.data().format(), ConfigKey.oneOf(Choices.names(Choices.DataFormat.class), "is not allowed")),
      key("data.train.images", "path", null, "path / URI", "IDX training images", RESUME_SAME,
          c -> c.data().train().images(), null),
      key("data.train.labels", "path", null, "path / URI", "IDX training labels", RESUME_SAME,
          c -> c.data().train().labels(), null),
      key("data.train.folder", "path", null, "path / URI", "folder format: training tree", RESUME_SAME,
          c -> c.data().train().folder(), null),
      key("data.test.images", "path", null, "path / URI", "IDX test images", RESUME_MAY_DIFFER,
          c -> c.data().test().images(), null),
      key("data.test.labels", "path", null, "path / URI", "IDX test labels", RESUME_MAY_DIFFER,
          c -> c.data().test().labels(), null),
      key("data.test.folder", "path", null, "path / URI", "folder format: test tree", RESUME_MAY_DIFFER,
          c -> c.data().test().folder(), null),
      key("data.train.path", "path", null, "path / URI", "parquet/csv/orc/json: training file or directory", RESUME_SAME,
          c -> c.data().train().path(), null),
      key("data.train.table", "string", null, "table name", "table format: the training table (Spark catalog)",
          RESUME_SAME, c -> c.data().train().table(), null),
      key("data.test.path", "path", null, "path / URI", "parquet/csv/orc/json: test file or directory", RESUME_MAY_DIFFER,
          c -> c.data().test().path(), null),
      key("data.test.table", "string", null, "table name", "table format: the test table", RESUME_MAY_DIFFER,
          c -> c.data().test().table(), null),
      key("data.test.fraction", "number", 0.0, "[0, 1)", "tabular: hold out this seeded share of the training rows as test",
          RESUME_SAME, c -> c.data().test().share(), open(0, 1, true, false, "[0, 1)")),
      key("data.features", "list", List.of(), "column names", "tabular: numeric columns, or one vector / array<float> column",
          RESUME_SAME, c -> c.data().features(), null),
      key("data.label", "string", null, "column name", "tabular: class index or string label column", RESUME_SAME,
          c -> c.data().label(), null),
      key("data.categorical", "list", List.of(), "column names", "tabular: columns one-hot encoded (vocabulary from the training data)",
          RESUME_SAME, c -> c.data().categorical(), null),
      key("data.normalize", "enum", "none", allowed(Choices.Normalize.class),
          "tabular: per-feature scaling, statistics from the training data", RESUME_SAME, c -> c.data().normalize(),
          ConfigKey.oneOf(Choices.names(Choices.Normalize.class), "is not allowed")),
      key("data.on_null", "enum", "fail", allowed(Choices.OnNull.class), "tabular: null / NaN features or labels",
          RESUME_SAME, c -> c.data().onNull(), ConfigKey.oneOf(Choices.names(Choices.OnNull.class), "is not allowed")),
      key("data.csv.header", "bool", true, "bool", "csv: the first line names the columns", RESUME_SAME,
          c -> c.data().csv().header(), null),
      key("data.csv.delimiter", "string", ",", "one character", "csv: the field separator", RESUME_SAME,
          c -> c.data().csv().delimiter(), null),
      key("data.image.height", "integer", 28, ">= 1", "folder format: decoded images are resized to this",
          RESUME_SAME, c -> c.data().image().height(), null),
      key("data.image.width", "integer", 28, ">= 1", "folder format: decoded images are resized to this",
          RESUME_SAME, c -> c.data().image().width(), null),
      key("data.image.channels", "integer", 1, "1 or 3", "folder format: grey or RGB", RESUME_SAME,
          c -> c.data().image().channels(), null),
      key("data.on_bad_file", "enum", "fail", allowed(Choices.OnBadFile.class), "folder format: what an unreadable file does", RESUME_SAME,
          c -> c.data().onBadFile(), ConfigKey.oneOf(Choices.names(Choices.OnBadFile.class), "is not allowed")),
      key("data.num_classes", "integer", 10, "2-256", "labels must lie in [0, num_classes)", RESUME_SAME,
          c -> c.data().numClasses(), ConfigKey.range(2, 256)),
      key("data.partitions", "integer", 0, ">= 0", "partitions = replicas; 0 = Spark's default parallelism",
          RESUME_MAY_DIFFER, c -> c.data().partitions(), ConfigKey.range(0, 100_000)),
      key("data.limit.train", "integer", 0, ">= 0", "use only the first N training examples; 0 = all", RESUME_SAME,
          c -> c.data().limit().train(), ConfigKey.range(0, Integer.MAX_VALUE)),
      key("data.limit.test", "integer", 0, ">= 0", "use only the first N test examples; 0 = all", RESUME_MAY_DIFFER,
          c -> c.data().limit().test(), ConfigKey.range(0, Integer.MAX_VALUE)),
      key("data.shuffle", "bool", true, "bool", "reshuffle each partition every epoch", RESUME_SAME,
          c -> c.data().shuffle(), null),
      key("model.layers", "list", List.of(), "list", "the layers, the last of type output", RESUME_SAME,
          c -> c.model().layers(), null),
      key("training.epochs", "integer", 1, "1-10000", "passes over the training data", RESUME_MAY_DIFFER,
          c -> c.training().epochs(), ConfigKey.range(1, 10_000)),
      key("training.batch_size", "integer", 64, ">= 1", "minibatch size per worker", RESUME_SAME,
          c -> c.training().batchSize(), ConfigKey.range(1, 1 << 20)),
      key("training.class_weights", "none, balanced or map", "none", "none, balanced, {class: weight > 0}",
          "weight each class's loss: balanced = n / (classes x n_class), or given per class name / index", RESUME_SAME,
          c -> c.training().classWeights(), v -> {
            if ("none".equals(v) || "balanced".equals(v)) {
              return null;
            }
            if (v instanceof java.util.Map<?, ?> m && !m.isEmpty()) {
              for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getValue() instanceof Number n) || !(n.doubleValue() > 0)) {
                  return "weight of class '" + e.getKey() + "' is " + e.getValue() + "; allowed: a number > 0";
                }
              }
              return null;
            }
            return "value " + (v instanceof String ? "'" + v + "'" : v) + " is not allowed; allowed: none, balanced, "
                + "or a map {class: weight}";
          }),
      key("averaging.frequency", "integer or auto", 10, ">= 1 or auto", "minibatches between two averages (k)",
          RESUME_SAME, c -> c.averaging().frequency(), v -> v instanceof Integer || "auto".equals(v) ? null
              : "value " + (v instanceof String ? "'" + v + "'" : v) + " is not allowed; allowed: an integer >= 1 or "
              + "'auto'"),
      key("averaging.updater_state", "bool", true, "bool", "also average optimiser state", RESUME_SAME,
          c -> c.averaging().updaterState(), null),
      key("averaging.target_sync_fraction", "number", 0.10, "(0, 1)", "auto: keep sync under this share of a round",
          RESUME_SAME, c -> c.averaging().targetSyncFraction(), open(0, 1, false, false, "(0, 1)")),
      key("averaging.min_frequency", "integer", 1, ">= 1", "auto: lower bound of k", RESUME_SAME,
          c -> c.averaging().minFrequency(), ConfigKey.range(1, 1_000_000)),
      key("averaging.max_frequency", "integer", 64, ">= min_frequency", "auto: upper bound of k", RESUME_SAME,
          c -> c.averaging().maxFrequency(), null),
      key("averaging.max_relative_spread", "number", 0.05, "> 0", "auto: halve k's ceiling beyond this spread",
          RESUME_SAME, c -> c.averaging().maxRelativeSpread(),
          v -> ((Number) v).doubleValue() > 0 ? null : v + " is out of range; allowed: > 0"),
      key("averaging.overlap", "bool", false, "bool", "run round r while round r-1 is averaged", RESUME_SAME,
          c -> c.averaging().overlap(), null),
      key("averaging.overlap_gain", "number", 0.5, "(0, 1]", "overlap: share of deviation removed per round",
          RESUME_SAME, c -> c.averaging().overlapGain(), open(0, 1, false, true, "(0, 1]")),
      key("averaging.transport", "enum", "stream", allowed(Choices.Transport.class), "streamed rounds or one Spark job per round",
          RESUME_SAME, c -> c.averaging().transport(), ConfigKey.oneOf(Choices.names(Choices.Transport.class), "is not allowed")),
      key("optimizer.type", "enum", "adam", "adam, sgd, nesterovs, rmsprop", "the optimiser", RESUME_SAME,
          c -> c.optimizer().type(), ConfigKey.oneOf(OptimizerSpec.TYPES, "is not supported")),
      key("optimizer.learning_rate", "number", 0.001, "(0, 10]", "learning rate", RESUME_SAME,
          c -> c.optimizer().learningRate(), open(0, 10, false, true, "(0, 10]")),
      key("optimizer.momentum", "number", 0.9, "[0, 1)", "for nesterovs", RESUME_SAME,
          c -> c.optimizer().momentum(), open(0, 1, true, false, "[0, 1)")),
      key("optimizer.weight_decay", "number", 0.0, "[0, 1)", "L2", RESUME_SAME,
          c -> c.optimizer().weightDecay(), open(0, 1, true, false, "[0, 1)")),
      key("augmentation.copies", "integer", 1, ">= 1", "augmented variants of each example per epoch", RESUME_SAME,
          c -> c.augmentation().copies(), null),
      key("augmentation.ops", "list", List.of(), "list", "per-example operations", RESUME_SAME,
          c -> c.augmentation().ops(), null),
      key("checkpoint.dir", "path", null, "path / URI", "where checkpoints go", RESUME_MAY_DIFFER,
          c -> c.checkpoint().dir(), null),
      key("checkpoint.every_rounds", "integer", 0, ">= 0", "checkpoint after every N rounds", RESUME_MAY_DIFFER,
          c -> c.checkpoint().everyRounds(), ConfigKey.range(0, Integer.MAX_VALUE)),
      key("checkpoint.every_minutes", "number", 10, ">= 0", "checkpoint every T minutes", RESUME_MAY_DIFFER,
          c -> c.checkpoint().everyMinutes(), open(0, 1e6, true, true, "0 (off) to 1000000")),
      key("checkpoint.keep_last", "integer", 3, ">= 1", "keep the newest K checkpoints", RESUME_MAY_DIFFER,
          c -> c.checkpoint().keepLast(), ConfigKey.range(1, 1_000_000)),
      key("checkpoint.keep_every", "integer", 0, ">= 0", "also keep every M-th checkpoint", RESUME_MAY_DIFFER,
          c -> c.checkpoint().keepEvery(), ConfigKey.range(0, 1_000_000)),
      key("guard.round_timeout_seconds", "integer", 0, ">= 0", "cancel a round running longer", RESUME_MAY_DIFFER,
          c -> c.guard().roundTimeoutSeconds(), ConfigKey.range(0, 7 * 24 * 3600)),
      key("guard.max_loss_ratio", "number", 20, "0 or > 1", "leave out a replica with a loss this far above",
          RESUME_SAME, c -> c.guard().maxLossRatio(), v -> {
            double x = ((Number) v).doubleValue();
            return x == 0 || x > 1 ? null : x + " is out of range; allowed: 0 (off) or a number > 1";
          }),
      key("guard.max_diverged_fraction", "number", 0.5, "[0, 1)", "more left out than this: roll back",
          RESUME_SAME, c -> c.guard().maxDivergedFraction(), open(0, 1, true, false, "[0, 1)")),
      key("guard.on_divergence", "enum", "reduce_lr", allowed(Choices.OnDivergence.class), "on rollback: lower the rate, or stop",
          RESUME_SAME, c -> c.guard().onDivergence(), ConfigKey.oneOf(Choices.names(Choices.OnDivergence.class), "is not allowed")),
      key("guard.lr_factor", "number", 0.5, "(0, 1)", "learning-rate multiplier per rollback", RESUME_SAME,
          c -> c.guard().lrFactor(), open(0, 1, false, false, "(0, 1)")),
      key("guard.max_rollbacks", "integer", 3, ">= 0", "rollbacks allowed", RESUME_SAME,
          c -> c.guard().maxRollbacks(), ConfigKey.range(0, 1000)),
      key("pruning.method", "enum", "none", allowed(Choices.PruningMethod.class),
          "prune weights (magnitude) or neurons/filters (structured) during training", RESUME_SAME,
          c -> c.pruning().method(), ConfigKey.oneOf(Choices.names(Choices.PruningMethod.class), "is not a pruning method")),
      key("pruning.target_sparsity", "number", 0.9, "[0, 1)", "final share of weights (or units) pruned",
          RESUME_SAME, c -> c.pruning().targetSparsity(), open(0, 1, true, false, "[0, 1)")),
      key("pruning.initial_sparsity", "number", 0.0, "[0, target_sparsity]", "gradual: sparsity at start",
          RESUME_SAME, c -> c.pruning().initialSparsity(), open(0, 1, true, false, "[0, 1)")),
      key("pruning.schedule", "enum", "gradual", allowed(Choices.PruningSchedule.class), "Zhu-Gupta cubic ramp, or all at start",
          RESUME_SAME, c -> c.pruning().schedule(), ConfigKey.oneOf(Choices.names(Choices.PruningSchedule.class), "is not allowed")),
      key("pruning.scope", "enum", "global", allowed(Choices.PruningScope.class), "magnitude: one threshold, or the sparsity per layer",
          RESUME_SAME, c -> c.pruning().scope(), ConfigKey.oneOf(Choices.names(Choices.PruningScope.class), "is not allowed")),
      key("pruning.start", "number", 0.0, "[0, 1]", "fraction of the run's steps where pruning begins",
          RESUME_SAME, c -> c.pruning().start(), open(0, 1, true, true, "[0, 1]")),
      key("pruning.end", "number", 0.7, "[start, 1]", "gradual: fraction where the target is reached",
          RESUME_SAME, c -> c.pruning().end(), open(0, 1, true, true, "[0, 1]")),
      key("pruning.every_steps", "integer", 50, ">= 1", "gradual: minibatch steps between mask updates",
          RESUME_SAME, c -> c.pruning().everySteps(), ConfigKey.range(1, 1_000_000_000)),
      key("pruning.layers", "list", List.of(), "list", "layer indices to prune; empty = all with weights",
          RESUME_SAME, c -> c.pruning().layers(), null),
      key("pruning.norm", "enum", "l2", allowed(Choices.PruningNorm.class), "structured: norm ranking a unit's incoming weights",
          RESUME_SAME, c -> c.pruning().norm(), ConfigKey.oneOf(Choices.names(Choices.PruningNorm.class), "is not allowed")),
      key("monitoring.metrics", "bool", true, "bool",
          "register training metrics with Spark's metrics system (Prometheus, sinks; see Monitoring)", RESUME_MAY_DIFFER,
          c -> c.monitoring().metrics(), null),
      key("monitoring.straggler_factor", "number", 1.5, "0 or >= 1",
          "flag a replica / executor slower than the others' median by this factor; 0 = off", RESUME_MAY_DIFFER,
          c -> c.monitoring().stragglerFactor(), v -> {
            double x = ((Number) v).doubleValue();
            return x == 0 || x >= 1 ? null : x + " is out of range; allowed: 0 (off) or >= 1";
          }),
      key("monitoring.progress", "enum", "auto", allowed(Choices.Progress.class),
          "a bar with ETA on a terminal (auto), bar, plain lines, or none", RESUME_MAY_DIFFER,
          c -> c.monitoring().progress(), ConfigKey.oneOf(Choices.names(Choices.Progress.class), "is not allowed")),
      key("registry.uri", "path", null, "path / URI", "model registry root (retrain, registry, NAME@ALIAS)",
          RESUME_MAY_DIFFER, c -> c.registry().uri(), null),
      key("registry.model", "string", null, "a name", "the model's name in the registry", RESUME_MAY_DIFFER,
          c -> c.registry().model(), v -> v == null || v.toString().matches("[a-z][a-z0-9_.-]{0,99}") ? null
              : "'" + v + "' is not allowed; allowed: lower-case letters, digits, '_', '-', '.', starting with a letter"),
      key("registry.signing_key", "path", null, "PEM file", "Ed25519 private key signing new versions "
          + "(env SPARKTRAIN_SIGNING_KEY wins)", RESUME_MAY_DIFFER, c -> c.registry().signingKey(), null),
      key("registry.verify_key", "path", null, "PEM file", "Ed25519 public key versions are verified with "
          + "(env SPARKTRAIN_VERIFY_KEY wins)", RESUME_MAY_DIFFER, c -> c.registry().verifyKey(), null),
      key("registry.verify", "enum", "require", allowed(Choices.Verify.class),
          "refuse unsigned or tampered versions, or only warn (development registries)", RESUME_MAY_DIFFER,
          c -> c.registry().verify(), ConfigKey.oneOf(Choices.names(Choices.Verify.class), "is not allowed")),
      key("registry.keep", "integer", 10, ">= 1", "registry gc keeps aliased versions and the newest N",
          RESUME_MAY_DIFFER, c -> c.registry().keep(), ConfigKey.range(1, 1_000_000)),
      key("retrain.time_zone", "string", "UTC", "a zone id", "the zone of 'today' when --date is not given",
          RESUME_MAY_DIFFER, c -> c.retrain().timeZone(), v -> {
            try {
              java.time.ZoneId.of(String.valueOf(v));
              return null;
            } catch (java.time.DateTimeException e) {
              return "'" + v + "' is not a time zone; allowed: a zone id such as UTC or Europe/Berlin";
            }
          }),
      key("retrain.warm_start", "bool", true, "bool", "start the challenger from the champion's parameters and "
          + "optimiser state (a resumed run continues from its checkpoint)", RESUME_MAY_DIFFER, c -> c.retrain().warmStart(),
          null),
      key("retrain.holdout", "path", null, "path / URI", "frozen holdout rows, copied into the registry on the "
          + "first run", RESUME_MAY_DIFFER, c -> c.retrain().holdout(), null),
      key("retrain.work_dir", "path", null, "path / URI", "each date's challenger run; null = REGISTRY/MODEL/runs",
          RESUME_MAY_DIFFER, c -> c.retrain().workDir(), null),
      key("retrain.min_rows_ratio", "number", 0.5, "[0, 1]", "data check: snapshot rows >= this x the champion's",
          RESUME_MAY_DIFFER, c -> c.retrain().minRowsRatio(), open(0, 1, true, true, "[0, 1]")),
      key("retrain.max_rows_ratio", "number", 2.0, ">= 1", "data check: snapshot rows <= this x the champion's",
          RESUME_MAY_DIFFER, c -> c.retrain().maxRowsRatio(), open(1, Double.MAX_VALUE, true, true, ">= 1")),
      key("retrain.max_null_rate", "number", 0.01, "[0, 1]", "data check: share of nulls / NaNs per feature column",
          RESUME_MAY_DIFFER, c -> c.retrain().maxNullRate(), open(0, 1, true, true, "[0, 1]")),
      key("retrain.drift.psi", "number", 0.25, "> 0", "a feature's population stability index above this is drift",
          RESUME_MAY_DIFFER, c -> c.retrain().drift().psi(), open(0, Double.MAX_VALUE, false, true, "> 0")),
      key("retrain.drift.ks", "number", 0.2, "(0, 1]", "a feature's Kolmogorov-Smirnov distance above this is drift",
          RESUME_MAY_DIFFER, c -> c.retrain().drift().ks(), open(0, 1, false, true, "(0, 1]")),
      key("retrain.drift.action", "enum", "fail", allowed(Choices.DriftAction.class),
          "drift stops the night (exit 10) or is only recorded", RESUME_MAY_DIFFER, c -> c.retrain().drift().action(),
          ConfigKey.oneOf(Choices.names(Choices.DriftAction.class), "is not allowed")),
      key("retrain.gate", "list", List.of(java.util.Map.of("metric", "accuracy", "min_absolute_change", 0.0)), "list",
          "promotion rules on holdout metrics (metric, threshold, min_absolute_change, min_relative_change, "
              + "max_regression, greater_is_better)", RESUME_MAY_DIFFER, c -> c.retrain().gate(), null),
      key("seed", "integer", 42, "integer", "weight init, data order, augmentation", RESUME_SAME,
          TrainConfig::seed, null),
      key("output.dir", "path", null, "path / URI", "where results go", RESUME_MAY_DIFFER,
          c -> c.output().dir(), null),
      key("output.int8", "bool", false, "bool", "also write int8-quantised weights and their accuracy",
          RESUME_MAY_DIFFER, c -> c.output().int8(), null));

  /** The declaration of {@code name}, or null. */
  public static ConfigKey get(String name) {
    for (ConfigKey k : ALL) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    return null;
  }

  /**
   * The declared key a flattened config path belongs to: itself, or the list key it is an element
   * of ({@code model.layers[0].units} belongs to {@code model.layers}); null when undeclared.
   */
  public static ConfigKey owning(String path) {
    int bracket = path.indexOf('[');
    return get(bracket < 0 ? path : path.substring(0, bracket));
  }
}
