package org.sparktrain.driver.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;
import org.sparktrain.kernels.model.LayerSpec;
import org.sparktrain.kernels.model.OptimizerSpec;

/**
 * A fully resolved run configuration. Built only by {@link ConfigLoader}, which applies defaults,
 * the YAML file and {@code --set} overrides, then {@link #validate()}s it.
 */
public record TrainConfig(
    @JsonProperty("engine") String engine,
    @JsonProperty("device") String device,
    @JsonProperty("data") Data data,
    @JsonProperty("model") Model model,
    @JsonProperty("training") Training training,
    @JsonProperty("averaging") Averaging averaging,
    @JsonProperty("optimizer") OptimizerSpec optimizer,
    @JsonProperty("augmentation") Augmentation augmentation,
    @JsonProperty("checkpoint") Checkpoint checkpoint,
    @JsonProperty("guard") Guard guard,
    @JsonProperty("pruning") Pruning pruning,
    @JsonProperty("monitoring") Monitoring monitoring,
    @JsonProperty("registry") Registry registry,
    @JsonProperty("retrain") Retrain retrain,
    @JsonProperty("seed") long seed,
    @JsonProperty("output") Output output) implements Serializable {

  /** {@code data.*}: where the examples come from and how they are split. */
  public record Data(
      @JsonProperty("format") String format,
      @JsonProperty("train") Split train,
      @JsonProperty("test") Split test,
      @JsonProperty("num_classes") int numClasses,
      @JsonProperty("partitions") int partitions,
      @JsonProperty("limit") Limit limit,
      @JsonProperty("shuffle") boolean shuffle,
      @JsonProperty("image") Image image,
      @JsonProperty("on_bad_file") String onBadFile,
      @JsonProperty("features") List<String> features,
      @JsonProperty("label") String label,
      @JsonProperty("categorical") List<String> categorical,
      @JsonProperty("normalize") String normalize,
      @JsonProperty("on_null") String onNull,
      @JsonProperty("csv") Csv csv) implements Serializable {
    /** True for a table or a columnar file format Spark SQL reads. */
    public boolean tabular() {
      return formatChoice().tabular();
    }

    /**
     * This data's settings reading {@code at} (a path, or a table for format table) as its test
     * split in {@code format} (null: this data's): what {@code evaluate} reads new rows with.
     */
    public Data forInput(String format, String at) {
      String f = format == null ? this.format : format;
      boolean table = Choices.parse(Choices.DataFormat.class, f, "--input-format") == Choices.DataFormat.TABLE;
      Split in = new Split(null, null, null, table ? null : at, table ? at : null, 0.0);
      return new Data(f, in, in, numClasses, partitions, new Limit(0, 0), shuffle, image, onBadFile, features, label,
          categorical, normalize, onNull, csv);
    }

    /** {@code data.normalize} as its enum. */
    public Choices.Normalize normalizeChoice() {
      return Choices.parse(Choices.Normalize.class, normalize, "data.normalize");
    }

    /** {@code data.on_null} as its enum. */
    public Choices.OnNull onNullChoice() {
      return Choices.parse(Choices.OnNull.class, onNull, "data.on_null");
    }

    /** True for image-folder data. */
    public boolean folders() {
      return formatChoice() == Choices.DataFormat.FOLDER;
    }

    /** {@code data.format} as its enum. */
    public Choices.DataFormat formatChoice() {
      return Choices.parse(Choices.DataFormat.class, format, "data.format");
    }

    /** {@code data.on_bad_file} as its enum. */
    public Choices.OnBadFile onBadFileChoice() {
      return Choices.parse(Choices.OnBadFile.class, onBadFile, "data.on_bad_file");
    }
  }

  /** {@code data.image}: the shape image files are resized to (folder format). */
  public record Image(@JsonProperty("height") int height, @JsonProperty("width") int width,
                      @JsonProperty("channels") int channels) implements Serializable {}

  /**
   * {@code data.train} / {@code data.test}: an IDX images file and its labels file, (format
   * folder) a directory of class folders, (parquet, csv, orc, json) a path, or (table) a catalog
   * table; {@code data.test.fraction} instead holds out a seeded share of the training rows.
   */
  public record Split(@JsonProperty("images") String images, @JsonProperty("labels") String labels,
                      @JsonProperty("folder") String folder, @JsonProperty("path") String path,
                      @JsonProperty("table") String table, @JsonProperty("fraction") Double fraction)
      implements Serializable {
    /** {@code fraction}, 0 when unset (only {@code data.test.fraction} is a key). */
    public double share() {
      return fraction == null ? 0 : fraction;
    }
  }

  /** {@code data.csv}: how CSV files are read. */
  public record Csv(@JsonProperty("header") boolean header, @JsonProperty("delimiter") String delimiter)
      implements Serializable {}

  /** {@code data.limit.*}: use only the first N examples (0 = all). */
  public record Limit(@JsonProperty("train") int train, @JsonProperty("test") int test) implements Serializable {}

  /** {@code model.*}. */
  public record Model(@JsonProperty("layers") List<LayerSpec> layers) implements Serializable {}

  /** {@code training.*}. */
  public record Training(@JsonProperty("epochs") int epochs, @JsonProperty("batch_size") int batchSize,
                         @JsonProperty("class_weights") Object classWeights) implements Serializable {}

  /**
   * {@code averaging.*}: how replicas are synchronised.
   *
   * @param frequency minibatches per replica between averages (an integer), or "auto"
   */
  public record Averaging(@JsonProperty("frequency") Object frequency,
                          @JsonProperty("updater_state") boolean updaterState,
                          @JsonProperty("target_sync_fraction") double targetSyncFraction,
                          @JsonProperty("min_frequency") int minFrequency,
                          @JsonProperty("max_frequency") int maxFrequency,
                          @JsonProperty("max_relative_spread") double maxRelativeSpread,
                          @JsonProperty("overlap") boolean overlap,
                          @JsonProperty("overlap_gain") double overlapGain,
                          @JsonProperty("transport") String transport) implements Serializable {
    /** True for {@code frequency: auto}. */
    public boolean auto() {
      return "auto".equals(frequency);
    }

    /** {@code averaging.transport} as its enum. */
    public Choices.Transport transportChoice() {
      return Choices.parse(Choices.Transport.class, transport, "averaging.transport");
    }

    /** The fixed k, or the starting k when adaptive. */
    public int k() {
      return frequency instanceof Integer i ? i : Math.max(minFrequency, Math.min(maxFrequency, 10));
    }
  }

  /** {@code engine} as its enum. */
  public Choices.Engine engineChoice() {
    return Choices.parse(Choices.Engine.class, engine, "engine");
  }

  /** {@code device} as its enum. */
  public Choices.Device deviceChoice() {
    return Choices.parse(Choices.Device.class, device, "device");
  }

  /**
   * {@code augmentation.*}: per-example operations applied on the executors as minibatches are
   * built, and how many independently augmented copies of each example an epoch holds.
   */
  public record Augmentation(@JsonProperty("copies") int copies,
                             @JsonProperty("ops") List<org.sparktrain.kernels.augment.AugmentSpec> ops)
      implements Serializable {
    /** The executable pipeline (validated). */
    public org.sparktrain.kernels.augment.AugmentationPipeline pipeline() {
      return new org.sparktrain.kernels.augment.AugmentationPipeline(ops == null ? List.of() : ops, copies);
    }
  }

  /** {@code checkpoint.*}: when the driver saves the training state, and which saves it keeps. */
  public record Checkpoint(@JsonProperty("dir") String dir,
                           @JsonProperty("every_rounds") int everyRounds,
                           @JsonProperty("every_minutes") double everyMinutes,
                           @JsonProperty("keep_last") int keepLast,
                           @JsonProperty("keep_every") int keepEvery) implements Serializable {}

  /** {@code guard.*}: round time-outs and the divergence guard. */
  public record Guard(@JsonProperty("round_timeout_seconds") int roundTimeoutSeconds,
                      @JsonProperty("max_loss_ratio") double maxLossRatio,
                      @JsonProperty("max_diverged_fraction") double maxDivergedFraction,
                      @JsonProperty("on_divergence") String onDivergence,
                      @JsonProperty("lr_factor") double lrFactor,
                      @JsonProperty("max_rollbacks") int maxRollbacks) implements Serializable {
    /** {@code guard.on_divergence} as its enum. */
    public Choices.OnDivergence onDivergenceChoice() {
      return Choices.parse(Choices.OnDivergence.class, onDivergence, "guard.on_divergence");
    }
  }

  /**
   * {@code pruning.*}: magnitude or structured pruning during training ({@code method: none} turns it off).
   */
  public record Pruning(@JsonProperty("method") String method,
                        @JsonProperty("target_sparsity") double targetSparsity,
                        @JsonProperty("initial_sparsity") double initialSparsity,
                        @JsonProperty("schedule") String schedule,
                        @JsonProperty("scope") String scope,
                        @JsonProperty("start") double start,
                        @JsonProperty("end") double end,
                        @JsonProperty("every_steps") int everySteps,
                        @JsonProperty("layers") List<String> layers,
                        @JsonProperty("norm") String norm) implements Serializable {
    /** Whether pruning is on. */
    public boolean enabled() {
      return Choices.parse(Choices.PruningMethod.class, method, "pruning.method") != Choices.PruningMethod.NONE;
    }

    /** The spec the trainer runs, or null when pruning is off. */
    public org.sparktrain.kernels.prune.PruningSpec spec() {
      if (!enabled()) {
        return null;
      }
      return new org.sparktrain.kernels.prune.PruningSpec(
          org.sparktrain.kernels.prune.PruningSpec.Method.valueOf(
              Choices.parse(Choices.PruningMethod.class, method, "pruning.method").name()),
          org.sparktrain.kernels.prune.PruningSpec.Scope.valueOf(
              Choices.parse(Choices.PruningScope.class, scope, "pruning.scope").name()),
          org.sparktrain.kernels.prune.PruningSpec.Schedule.valueOf(
              Choices.parse(Choices.PruningSchedule.class, schedule, "pruning.schedule").name()),
          initialSparsity, targetSparsity, start, end, everySteps, layers,
          org.sparktrain.kernels.prune.StructuredPruner.Norm.valueOf(
              Choices.parse(Choices.PruningNorm.class, norm, "pruning.norm").name()));
    }
  }

  /**
   * {@code monitoring.*}: Spark metrics (and so Prometheus), straggler detection, terminal progress.
   *
   * @param metrics register sparktrain's metrics with Spark's metrics system (the monitor plugin)
   * @param stragglerFactor flag a replica or executor slower than the others' median by this factor; 0 = off
   * @param progress how progress is printed: auto (a bar on a terminal, lines otherwise), bar, lines, none
   */
  public record Monitoring(@JsonProperty("metrics") boolean metrics,
                           @JsonProperty("straggler_factor") double stragglerFactor,
                           @JsonProperty("progress") String progress) implements Serializable {
    /** {@code progress} as a choice. */
    public Choices.Progress progressChoice() {
      return Choices.parse(Choices.Progress.class, progress, "monitoring.progress");
    }
  }

  /**
   * {@code registry.*}: where versions of a model are kept (README "Nightly retraining").
   *
   * @param uri the registry's root directory (any Hadoop path)
   * @param model the model's name in it
   * @param signingKey Ed25519 private key file (PEM) that signs new versions; env SPARKTRAIN_SIGNING_KEY wins
   * @param verifyKey Ed25519 public key file (PEM) versions are checked with; env SPARKTRAIN_VERIFY_KEY wins
   * @param verify require (refuse unsigned or unverifiable versions) or warn (a development registry)
   * @param keep {@code registry gc} keeps aliased versions and the newest this many
   */
  public record Registry(@JsonProperty("uri") String uri, @JsonProperty("model") String model,
                         @JsonProperty("signing_key") String signingKey, @JsonProperty("verify_key") String verifyKey,
                         @JsonProperty("verify") String verify, @JsonProperty("keep") int keep) implements Serializable {
    /** {@code verify} as its enum. */
    public Choices.Verify verifyChoice() {
      return Choices.parse(Choices.Verify.class, verify, "registry.verify");
    }
  }

  /**
   * {@code retrain.*}: the nightly job (README "Nightly retraining").
   *
   * @param timeZone the zone "today" is taken in when {@code --date} is not given
   * @param warmStart start the challenger from the champion's parameters and optimiser state
   * @param holdout the frozen holdout (same format as the training data), copied into the registry on
   *     the first run and used by every later one
   * @param workDir where each date's challenger run and checkpoints go (null: the registry's runs/ directory)
   * @param minRowsRatio a snapshot with fewer rows than this x the champion's training rows fails the data checks
   * @param maxRowsRatio ... more than this x
   * @param maxNullRate a feature column with a larger share of nulls / NaNs fails the data checks
   * @param drift per-feature drift against the champion's training data
   * @param gate the promotion rules, all of which must pass
   */
  public record Retrain(@JsonProperty("time_zone") String timeZone, @JsonProperty("warm_start") boolean warmStart,
                        @JsonProperty("holdout") String holdout, @JsonProperty("work_dir") String workDir,
                        @JsonProperty("min_rows_ratio") double minRowsRatio,
                        @JsonProperty("max_rows_ratio") double maxRowsRatio,
                        @JsonProperty("max_null_rate") double maxNullRate, @JsonProperty("drift") Drift drift,
                        @JsonProperty("gate") List<GateRule> gate) implements Serializable {}

  /**
   * {@code retrain.drift.*}: a feature drifts when its population stability index or its
   * Kolmogorov-Smirnov distance to the champion's training data exceeds the threshold.
   *
   * @param action fail (the night stops: data check failed) or warn (recorded, training goes on)
   */
  public record Drift(@JsonProperty("psi") double psi, @JsonProperty("ks") double ks,
                      @JsonProperty("action") String action) implements Serializable {
    /** {@code action} as its enum. */
    public Choices.DriftAction actionChoice() {
      return Choices.parse(Choices.DriftAction.class, action, "retrain.drift.action");
    }
  }

  /**
   * One rule of {@code retrain.gate} (after MLflow's {@code MetricThreshold}): the challenger's
   * {@code metric} on the holdout must reach {@code threshold}, beat the champion's by
   * {@code min_absolute_change} and by {@code min_relative_change} (a fraction of the champion's), and
   * may be worse than the champion's by at most {@code max_regression} (a guardrail); unset parts are
   * not checked. {@code greater_is_better} defaults from the metric (false for log_loss, brier, ece).
   */
  public record GateRule(@JsonProperty("metric") String metric, @JsonProperty("threshold") Double threshold,
                         @JsonProperty("min_absolute_change") Double minAbsoluteChange,
                         @JsonProperty("min_relative_change") Double minRelativeChange,
                         @JsonProperty("max_regression") Double maxRegression,
                         @JsonProperty("greater_is_better") Boolean greaterIsBetter) implements Serializable {}

  /** {@code output.*}. */
  public record Output(@JsonProperty("dir") String dir, @JsonProperty("int8") boolean int8) implements Serializable {}

  /**
   * Checks every key as {@link ConfigKeys} declares it, then what involves several keys; throws
   * {@link ConfigException} naming the first bad key.
   */
  public TrainConfig validate() {
    for (ConfigKey k : ConfigKeys.ALL) {
      k.validate(this);
    }
    if (data.folders()) {
      requirePath("data.train.folder", data.train().folder());
      requirePath("data.test.folder", data.test().folder());
      range("data.image.height", data.image().height(), 1, 8192);
      range("data.image.width", data.image().width(), 1, 8192);
      if (data.image().channels() != 1 && data.image().channels() != 3) {
        throw new ConfigException("data.image.channels", data.image().channels() + " is not allowed; allowed: 1 or 3");
      }
    } else if (data.tabular()) {
      boolean table = data.formatChoice() == Choices.DataFormat.TABLE;
      String where = table ? "table" : "path";
      String trainAt = table ? data.train().table() : data.train().path();
      if (trainAt == null || trainAt.isBlank()) {
        throw new ConfigException("data.train." + where, "is required for data.format " + data.format()
            + (table ? " (a catalog table name, e.g. db.events)" : " (a file or directory: file://, hdfs://, s3a://, gs://)"));
      }
      String testAt = table ? data.test().table() : data.test().path();
      boolean held = data.test().share() > 0;
      if ((testAt == null || testAt.isBlank()) == !held) {
        throw new ConfigException("data.test." + where, held ? "and data.test.fraction are both set; use one"
            : "is required (or hold out training rows with data.test.fraction, e.g. 0.2)");
      }
      if (data.train().share() != 0) {
        throw new ConfigException("data.train.fraction", "is not a key; the held-out share is data.test.fraction");
      }
      if (data.features() == null || data.features().isEmpty()) {
        throw new ConfigException("data.features", "must list the feature columns (numeric columns, or one vector / "
            + "array column) for data.format " + data.format());
      }
      if (data.label() == null || data.label().isBlank()) {
        throw new ConfigException("data.label", "must name the label column for data.format " + data.format());
      }
    } else {
      requirePath("data.train.images", data.train().images());
      requirePath("data.train.labels", data.train().labels());
      requirePath("data.test.images", data.test().images());
      requirePath("data.test.labels", data.test().labels());
    }
    if (model.layers() == null || model.layers().isEmpty()) {
      throw new ConfigException("model.layers", "must list at least one layer (the last of type 'output')");
    }
    for (int i = 0; i < model.layers().size(); i++) {
      LayerSpec l = model.layers().get(i);
      String key = "model.layers[" + i + "]";
      if (l == null || l.type() == null) {
        throw new ConfigException(key + ".type", "is required; allowed: " + LayerSpec.TYPES);
      }
      if (!LayerSpec.TYPES.contains(l.type())) {
        throw new ConfigException(key + ".type", "'" + l.type() + "' is not a layer type; allowed: " + LayerSpec.TYPES);
      }
      positive(key + ".units", l.units());
      positive(key + ".filters", l.filters());
      positive(key + ".kernel", l.kernel());
      positive(key + ".stride", l.stride());
    }
    GateRules.validate(retrain.gate());
    if (averaging.frequency() instanceof Integer i) {
      range("averaging.frequency", i, 1, 1_000_000);
    }
    range("averaging.max_frequency", averaging.maxFrequency(), averaging.minFrequency(), 1_000_000);
    if (pruning.enabled()) {
      if (pruning.initialSparsity() > pruning.targetSparsity()) {
        throw new ConfigException("pruning.initial_sparsity", pruning.initialSparsity() + " is above "
            + "pruning.target_sparsity (" + pruning.targetSparsity() + "); allowed: 0 to target_sparsity");
      }
      if (pruning.end() < pruning.start()) {
        throw new ConfigException("pruning.end", pruning.end() + " is before pruning.start (" + pruning.start()
            + "); allowed: start to 1 (fractions of the run's steps)");
      }
      if (engineChoice() != Choices.Engine.SPARKTRAIN) {
        throw new ConfigException("pruning.method", "'" + pruning.method() + "' runs on engine sparktrain (the driver "
            + "computes masks from the averages); engine " + engine + " does not prune; set pruning.method: none");
      }
      for (int i = 0; i < model.layers().size(); i++) {
        String t = model.layers().get(i).type();
        if (LayerSpec.isRecurrent(t)) {
          throw new ConfigException("pruning.method", "'" + pruning.method() + "' does not prune recurrent layers yet "
              + "(model.layers[" + i + "] is " + t + "); set pruning.method: none");
        }
      }
      if (pruning.layers() != null) {
        for (int i = 0; i < pruning.layers().size(); i++) {
          if (pruning.layers().get(i) == null || pruning.layers().get(i).isBlank()) {
            throw new ConfigException("pruning.layers[" + i + "]", "is empty; allowed: a layer index");
          }
        }
      }
    }
    try {
      augmentation.pipeline();
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      int colon = m.indexOf(':');
      throw new ConfigException(colon > 0 ? m.substring(0, colon) : "augmentation",
          colon > 0 ? m.substring(colon + 2) : m);
    }
    return this;
  }

  /** A copy with a different output directory. */
  public TrainConfig withOutputDir(String dir) {
    return new TrainConfig(engine, device, data, model, training, averaging, optimizer, augmentation, checkpoint, guard,
        pruning, monitoring, registry, retrain, seed, new Output(dir, output.int8()));
  }

  /** A copy running on another engine. */
  public TrainConfig withEngine(String name) {
    return new TrainConfig(name, device, data, model, training, averaging, optimizer, augmentation, checkpoint, guard,
        pruning, monitoring, registry, retrain, seed, output);
  }

  /** A copy reading other data (a retrain night's snapshot). */
  public TrainConfig withData(Data other) {
    return new TrainConfig(engine, device, other, model, training, averaging, optimizer, augmentation, checkpoint, guard,
        pruning, monitoring, registry, retrain, seed, output);
  }

  private static void requirePath(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, "is required (a file path or URI: file://, hdfs://, s3a://, gs://)");
    }
  }

  private static void range(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ConfigException(key, value + " is out of range; allowed: " + min + " to " + max);
    }
  }

  private static void positive(String key, Integer value) {
    if (value != null && value <= 0) {
      throw new ConfigException(key, value + " is out of range; allowed: an integer >= 1");
    }
  }
}
