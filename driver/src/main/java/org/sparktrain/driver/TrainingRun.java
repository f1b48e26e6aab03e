package org.sparktrain.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.evaluation.classification.Evaluation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.data.DataDescription;
import org.sparktrain.driver.data.DataFile;
import org.sparktrain.driver.data.DataSource;
import org.sparktrain.driver.data.DataSources;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.driver.output.Provenance;
import org.sparktrain.driver.output.RunOutput;
import org.sparktrain.driver.prune.ModelCompression;
import org.sparktrain.driver.output.OutputExistsException;
import org.sparktrain.driver.checkpoint.CheckpointPolicy;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.checkpoint.PeriodicCheckpointer;
import org.sparktrain.driver.checkpoint.ResumeCompatibility;
import org.sparktrain.driver.train.Checkpointer;
import org.sparktrain.driver.train.TrainingState;
import org.sparktrain.driver.spark.ExecutorReport;
import org.sparktrain.driver.spark.Preflight;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.driver.engine.EngineContext;
import org.sparktrain.driver.engine.TrainingData;
import org.sparktrain.driver.engine.TrainingEngine;
import org.sparktrain.driver.train.DistributedEvaluator;
import org.sparktrain.driver.train.ProgressPrinter;
import org.sparktrain.driver.monitor.LiveMetrics;
import org.sparktrain.driver.monitor.MonitorListener;
import org.sparktrain.driver.monitor.StragglerDetector;
import org.sparktrain.driver.monitor.TextfileMetrics;
import org.sparktrain.driver.output.EvaluationJson;
import org.sparktrain.driver.train.TrainingListener;
import org.sparktrain.driver.train.TrainingResult;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.NetworkFactory;

/**
 * One training run end to end: load and validate data, train with parameter averaging, evaluate
 * on the test set, publish model, metrics, resolved config and provenance into the output dir.
 */
public final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Files a finished run leaves in its output directory. */
  public static final List<String> ARTEFACTS = List.of("model.zip", "metrics.json", "evaluation.json", "config.yaml",
      "provenance.json");

  private TrainingRun() {}

  /**
   * What a finished run reports.
   *
   * @param outputDir where the artefacts are
   * @param testAccuracy accuracy on the test set
   * @param metrics the content of metrics.json
   */
  public record Summary(String outputDir, double testAccuracy, Map<String, Object> metrics) {}

  /**
   * Runs training.
   *
   * @param overwrite replace the results in a non-empty output directory
   * @param out where progress lines and the summary go
   */
  public static Summary run(JavaSparkContext sc, TrainConfig config, boolean overwrite, PrintStream out,
                            List<TrainingListener> extraListeners) {
    return run(sc, config, overwrite, false, out, extraListeners);
  }

  /**
   * Decides, before any work, whether the run starts fresh or continues an interrupted one:
   * continues when the checkpoint directory holds checkpoints written for this output directory and
   * neither {@code --overwrite} nor a finished run ({@code _SUCCESS}) says otherwise; {@code --resume} makes continuing mandatory
   * (and also continues over a finished run's output, for a run that was replaced and interrupted).
   *
   * @return true to resume
   * @throws OutputExistsException when the output holds results that would be replaced
   * @throws ConfigException when {@code --resume} has nothing to continue
   */
  public static boolean resumes(TrainConfig config, boolean overwrite, boolean resume, Configuration hadoop) {
    String dir = config.output().dir();
    if (resume && overwrite) {
      throw new ConfigException("--resume", "cannot be combined with --overwrite (which starts a new run)");
    }
    CheckpointPolicy policy = CheckpointPolicy.of(config.checkpoint(), dir);
    CheckpointStore store = CheckpointStore.at(policy.dir(), hadoop);
    boolean hasCheckpoints = !store.list().isEmpty();
    if (resume) {
      if (!hasCheckpoints) {
        throw new ConfigException("--resume", "nothing to resume: no checkpoint in " + policy.dir()
            + " (checkpoints are written when checkpoint.every_rounds or checkpoint.every_minutes is set)");
      }
      return true;
    }
    if (overwrite) {
      RunOutput.checkAvailable(dir, true, hadoop);
      return false;
    }
    if (RunOutput.finished(dir, hadoop)) {
      throw new OutputExistsException("output directory " + dir + " already holds a finished run (_SUCCESS); pass "
          + "--overwrite to replace it, or choose another --output");
    }
    if (hasCheckpoints) {
      String owner = store.newestOutputDir();
      if (owner == null || sameDir(owner, dir, hadoop)) {
        return true;
      }
      LOG.info("checkpoints in {} were written for output {}, not {}: starting a new run (train --resume would "
          + "continue from them)", policy.dir(), owner, dir);
    }
    RunOutput.checkAvailable(dir, false, hadoop);
    return false;
  }

  private static boolean sameDir(String a, String b, Configuration hadoop) {
    try {
      org.apache.hadoop.fs.Path pa = new org.apache.hadoop.fs.Path(a);
      org.apache.hadoop.fs.Path pb = new org.apache.hadoop.fs.Path(b);
      return pa.getFileSystem(hadoop).makeQualified(pa).equals(pb.getFileSystem(hadoop).makeQualified(pb));
    } catch (java.io.IOException e) {
      return a.equals(b);
    }
  }

  /**
   * Runs training, continuing from the newest verified checkpoint when {@link #resumes} says so.
   *
   * @param overwrite replace the results in a non-empty output directory (always starts fresh)
   * @param resume require continuing from a checkpoint
   * @param out where progress lines and the summary go
   */
  public static Summary run(JavaSparkContext sc, TrainConfig config, boolean overwrite, boolean resume,
                            PrintStream out, List<TrainingListener> extraListeners) {
    return run(sc, config, overwrite, resume, out, extraListeners, null);
  }

  /**
   * A trained model a run starts from instead of the seeded initialisation.
   *
   * @param source where it was read (recorded in provenance.json)
   * @param sha256 SHA-256 of the model file
   * @param network the restored network: its parameter blocks must match what the config builds
   * @param optimizerState also continue its optimiser state (updater state and iteration count)
   */
  public record WarmStart(String source, String sha256, org.sparktrain.kernels.model.Network network,
                          boolean optimizerState) {
    /** Parameters only (the optimiser starts fresh). */
    public WarmStart(String source, String sha256, org.sparktrain.kernels.model.Network network) {
      this(source, sha256, network, false);
    }
  }

  /**
   * {@link #run(JavaSparkContext, TrainConfig, boolean, boolean, PrintStream, List)} starting from
   * {@code warm}'s parameters (null: the seeded initialisation); a resumed run continues from its
   * checkpoint regardless.
   */
  public static Summary run(JavaSparkContext sc, TrainConfig config, boolean overwrite, boolean resume,
                            PrintStream out, List<TrainingListener> extraListeners, WarmStart warm) {
    if (warm != null && config.engineChoice() != org.sparktrain.driver.config.Choices.Engine.SPARKTRAIN) {
      throw new ConfigException("engine", "'" + config.engine() + "' cannot start from a trained model; use engine "
          + "sparktrain");
    }
    if (config.output().dir() == null || config.output().dir().isBlank()) {
      throw new ConfigException("output.dir", "is required: pass --output DIR or set output.dir");
    }
    TrainingEngine engine = TrainingEngine.named(config.engine());
    if (engine.usesSpark() && sc == null) {
      throw new IllegalStateException("engine " + config.engine() + " needs a Spark context");
    }
    Configuration hadoop = sc != null ? sc.hadoopConfiguration() : new Configuration();
    long t0 = System.nanoTime();
    String runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
        + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
    TrainConfig.Data d = config.data();
    CheckpointPolicy policy = CheckpointPolicy.of(config.checkpoint(), config.output().dir());
    CheckpointStore store = CheckpointStore.at(policy.dir(), hadoop);
    CheckpointStore.Loaded checkpoint = null;
    List<String> skippedCheckpoints = new ArrayList<>();
    if (resumes(config, overwrite, resume, hadoop)) {
      if (!engine.checkpoints()) {
        throw new ConfigException("engine", "'" + config.engine() + "' cannot resume from checkpoints (only "
            + "sparktrain can); " + policy.dir() + " holds checkpoints: pass --overwrite to start over");
      }
      checkpoint = store.newestVerified(m -> {
        out.println("warning: " + m);
        skippedCheckpoints.add(m);
      });
      if (checkpoint == null) {
        throw new CorruptDataException(policy.dir(), "holds checkpoints but none verifies (" + String.join("; ",
            skippedCheckpoints) + "); pass --overwrite to start over");
      }
      ResumeCompatibility.require(checkpoint.configYaml(), config, checkpoint.name());
      runId = checkpoint.state().runId();
      TrainingState st = checkpoint.state();
      out.printf(Locale.ROOT, "resuming run %s from checkpoint %s: %d rounds done, next: epoch %d, step %d%n", runId,
          checkpoint.name(), st.round(), Math.min(st.epoch() + 1, config.training().epochs()), st.step());
    }
    RunOutput output = checkpoint != null ? RunOutput.reopen(config.output().dir(), runId, hadoop)
        : RunOutput.open(config.output().dir(), overwrite, runId, hadoop);
    TrainingData train = null;
    TrainingData test = null;
    MonitorListener monitor = null;
    StragglerDetector detector = null;
    Map<String, List<String>> skipped = new LinkedHashMap<>();
    try {
      DataSource trainSource = DataSources.train(d, hadoop, sc, config.seed());
      DataDescription described = trainSource.validate();
      DataSource testSource = DataSources.test(d, trainSource, described.exampleShape(), hadoop, sc, config.seed());
      testSource.validate();
      try {
        config.augmentation().pipeline().requireFits(described.exampleShape(),
            config.augmentation().ops() == null ? List.of() : config.augmentation().ops());
      } catch (IllegalArgumentException e) {
        String m = e.getMessage();
        int colon = m.indexOf(':');
        throw new ConfigException(m.substring(0, colon), m.substring(colon + 2));
      }
      ModelSpec conf = buildNetwork(config, described.exampleShape());
      // one network of the run's spec for the checks that need its parameter blocks
      org.sparktrain.kernels.model.Network probe = config.pruning().enabled() || warm != null ? conf.build() : null;
      ModelCompression.check(config, probe);
      org.sparktrain.driver.train.InitialState initial = warm == null ? null : warmState(warm, probe);
      if (engine.usesSpark()) {
        preflight(sc, config, conf, described.exampleShape(), out);
      }
      JavaSparkContext loader = engine.usesSpark() ? sc : null;
      long loadStart = System.nanoTime();
      DataSource.Split tr = trainSource.load(loader, d.partitions());
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      train = TrainingData.of(tr);
      DataSource.Split te = testSource.load(loader, d.partitions());
      test = TrainingData.of(te);
      List<String> classes = tr.description().classes();
      final TrainingData trained = train;
      double[] classWeights = org.sparktrain.driver.data.ClassWeights.of(config.training().classWeights(), classes,
          () -> org.sparktrain.driver.data.ClassWeights.counts(trained.distributed(), trained.local(), d.numClasses()));
      if (classWeights != null) {
        conf = buildNetwork(config, described.exampleShape(), classWeights);
      }
      if (!classes.equals(te.description().classes())) {
        throw new CorruptDataException(d.test().folder(), "class folders " + te.description().classes()
            + " differ from the training folders " + classes);
      }
      if (d.folders()) {
        skipped.put("train", tr.problems());
        skipped.put("test", te.problems());
      }
      out.printf(Locale.ROOT, "sparktrain run %s: engine %s, %,d train / %,d test examples in %d partitions, "
              + "%d epochs, batch %d per worker, averaging every %s batches, %s%n", runId, config.engine(),
          train.count(), test.count(), train.partitions(), config.training().epochs(),
          config.training().batchSize(), config.averaging().frequency(),
          sc != null ? "master " + sc.master() : "no Spark");

      List<TrainingListener> listeners = new ArrayList<>();
      listeners.add(ProgressPrinter.of(config.monitoring().progressChoice(), out));
      detector = new StragglerDetector(config.monitoring().stragglerFactor());
      monitor = new MonitorListener(LiveMetrics.get(), detector, train.count() + test.count());
      listeners.add(monitor);
      if (sc != null) {
        sc.sc().addSparkListener(detector);
      }
      listeners.addAll(extraListeners);
      Map<String, String> fingerprint = new LinkedHashMap<>();
      train.files().forEach(f -> fingerprint.put("train_" + f.role(), f.sha256()));
      if (checkpoint != null) {
        requireSameData(checkpoint, fingerprint, train, config);
      }
      PeriodicCheckpointer checkpointer = null;
      if (engine.checkpoints() && policy.enabled()) {
        store.removeTemporary();
        String provenanceJson = JSON.writeValueAsString(provenance(sc, config, train, test, runId));
        checkpointer = new PeriodicCheckpointer(store, policy, checkpoint == null ? 0 : checkpoint.sequence(),
            ConfigLoader.toYaml(config), provenanceJson, fingerprint);
        checkpointer.observe(monitor::checkpointWritten);
      } else if (policy.enabled()) {
        out.println("checkpoints: not written by engine " + config.engine() + " (only sparktrain checkpoints)");
      }
      TrainingResult result = engine.train(new EngineContext(config, conf, runId, sc, train, listeners,
          checkpoint == null ? null : checkpoint.state(), checkpointer == null ? Checkpointer.NONE : checkpointer,
          initial));
      DistributedEvaluator.Result full = evaluateFully(sc, result.network(), test, d.numClasses());
      Evaluation eval = full.evaluation();
      for (TrainingListener l : listeners) {
        l.onEvaluation("test", eval);
      }
      double wall = (System.nanoTime() - t0) / 1e9;

      Map<String, Object> metrics = metrics(config, train, test, result, eval, wall, runId);
      // reading, decoding and caching the training split (tables: read, transformed and partitioned on Spark)
      metrics.put("data_load_seconds", loadSeconds);
      if (trainSource instanceof org.sparktrain.driver.data.TableSource table) {
        metrics.put("data_decode_seconds", table.decodeSeconds()); // of which reading and decoding rows
      }
      Map<String, Object> health = monitor.health();
      if (health != null) {
        metrics.put("health", health);
      }
      metrics.put("events", monitor.events());
      if (classWeights != null) {
        metrics.put("class_weights", classWeights);
      }
      metrics.put("monitoring", monitor.overhead(result.wallSeconds(), train.partitions()));
      if (checkpointer != null) {
        metrics.put("checkpoint_dir", store.dir());
        metrics.put("checkpoints_written", checkpointer.written());
        metrics.put("checkpoint_failures", checkpointer.failures());
        metrics.put("checkpoint_write_seconds", checkpointer.writeSeconds());
      }
      if (checkpoint != null) {
        metrics.put("resumed_from_checkpoint", checkpoint.name());
        metrics.put("checkpoints_rejected", skippedCheckpoints);
      }
      if (!skipped.isEmpty()) {
        Map<String, Object> sk = new LinkedHashMap<>();
        skipped.forEach((k, v) -> sk.put(k, Map.of("count", v.size(), "files", v)));
        metrics.put("skipped_files", sk);
      }
      if (trainSource instanceof org.sparktrain.driver.data.TableSource table) {
        output.writeText("features.json", table.spec().toJson());
      }
      if (!classes.isEmpty() && d.folders()) {
        List<String> names = classes;
        output.writeText("classes.json", JSON.writeValueAsString(Map.of("root", d.train().folder(), "classes", names)));
      }
      java.io.ByteArrayOutputStream model = new java.io.ByteArrayOutputStream();
      result.network().save(model, true);
      output.write("model.zip", o -> o.write(model.toByteArray()));
      final TrainingData testData = test;
      metrics.put("model", ModelCompression.report(config, result.network(), result.mask(), model.size(),
          java.util.Arrays.stream(described.exampleShape()).reduce(1, (a, b) -> a * b), eval.accuracy(),
          n -> evaluate(sc, n, testData, d.numClasses()), output));
      output.writeText("metrics.json", JSON.writeValueAsString(metrics));
      output.writeText("evaluation.json", JSON.writeValueAsString(EvaluationJson.of("test", eval, full.probabilities(), classes)));
      output.writeText("metrics.prom", TextfileMetrics.of(metrics, config.output().dir(), config.engine(),
          System.currentTimeMillis()));
      output.writeText("config.yaml", ConfigLoader.toYaml(config));
      Map<String, Object> prov = provenance(sc, config, train, test, runId);
      if (warm != null) {
        prov.put("warm_start", Map.of("model", warm.source(), "sha256", warm.sha256(), "optimizer_state",
            initial.updater() != null));
      }
      output.writeText("provenance.json", JSON.writeValueAsString(prov));
      output.commit();
      out.printf(Locale.ROOT, "done: test_accuracy %.4f  train_samples %,d  %,.0f samples/s  training %.1f s  "
              + "sync %.1f%%  total %.1f s  -> %s%n", eval.accuracy(), result.trainSamples(),
          result.samplesPerSecond(), result.wallSeconds(), 100 * nanToZero(result.syncFraction()), wall,
          output.dir());
      return new Summary(output.dir(), eval.accuracy(), metrics);
    } catch (RuntimeException e) {
      output.abandon();
      throw e;
    } catch (java.io.IOException e) {
      output.abandon();
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (monitor != null) {
        monitor.close();
      }
      if (detector != null && sc != null) {
        sc.sc().removeSparkListener(detector);
      }
      if (train != null) {
        train.release();
      }
      if (test != null) {
        test.release();
      }
    }
  }

  /**
   * The warm start's parameters (and optimiser state), after checking its blocks are the ones the
   * config's model has.
   */
  private static org.sparktrain.driver.train.InitialState warmState(WarmStart warm,
                                                                    org.sparktrain.kernels.model.Network built) {
    List<String> want = blockNames(built);
    List<String> have = blockNames(warm.network());
    if (!want.equals(have)) {
      throw new ConfigException("model.layers", "build parameter blocks " + want + ", but the model " + warm.source()
          + " has " + have + "; use the config the model was trained with");
    }
    float[] params = org.sparktrain.kernels.train.FloatArrays.flat(warm.network().params());
    org.nd4j.linalg.api.ndarray.INDArray u = warm.network().updaterState();
    boolean sameUpdater = u != null && built.updaterState() != null && u.length() == built.updaterState().length();
    if (!warm.optimizerState() || !sameUpdater) {
      if (warm.optimizerState()) {
        LOG.warn("the warm start {} has no optimiser state matching this config's optimizer: starting it fresh",
            warm.source());
      }
      return org.sparktrain.driver.train.InitialState.params(params);
    }
    return new org.sparktrain.driver.train.InitialState(params, org.sparktrain.kernels.train.FloatArrays.flat(u),
        warm.network().iterationCount());
  }

  /** A network's parameter blocks as {@code layer_kind[shape]}. */
  private static List<String> blockNames(org.sparktrain.kernels.model.Network net) {
    return net.parameterBlocks().stream()
        .map(b -> b.layer() + "_" + b.kind() + java.util.Arrays.toString(b.shape())).toList();
  }

  /** Refuses to continue on other training data than the checkpoint was written with. */
  private static void requireSameData(CheckpointStore.Loaded ck, Map<String, String> now, TrainingData train,
                                      TrainConfig config) {
    for (DataFile f : train.files()) {
      String k = "train_" + f.role();
      String then = ck.data().get(k);
      if (then != null && !then.equals(now.get(k))) {
        throw new ConfigException(f.configKey(), "content changed since checkpoint " + ck.name() + " was written (SHA-256 "
            + then.substring(0, 12) + "... then, " + now.get(k).substring(0, 12) + "... now); resuming needs the "
            + "same training data: restore it, or pass --overwrite to start a new run");
      }
    }
    if (train.distributed() != null
        && !java.util.Arrays.equals(ck.state().partitionCounts(), train.distributed().partitionCounts())) {
      throw new ConfigException("data.partitions", "checkpoint " + ck.name() + " was written with "
          + ck.state().partitionCounts().length + " partitions of " + java.util.Arrays.toString(
          ck.state().partitionCounts()) + " examples, this run has " + train.distributed().partitions() + " of "
          + java.util.Arrays.toString(train.distributed().partitionCounts()) + "; set data.partitions="
          + ck.state().partitionCounts().length + " to resume");
    }
  }

  private static void preflight(JavaSparkContext sc, TrainConfig config, ModelSpec conf, int[] shape,
                                PrintStream out) {
    Preflight.checkConf(sc.getConf());
    long params = conf.numParams();
    int features = java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    long need = Preflight.replicaOffHeapBytes(params, config.training().batchSize(), 20L * features);
    int cores = sc.getConf().getInt("spark.executor.cores", 1);
    List<ExecutorReport> reports = Preflight.checkExecutors(sc, config.deviceChoice(), need,
        sc.master().startsWith("local") ? sc.defaultParallelism() : cores);
    StringBuilder sb = new StringBuilder("executors:");
    for (ExecutorReport r : reports) {
      sb.append(String.format(Locale.ROOT, " [%s pid %d %s (%s) heap %d MB gpus %s]", r.executorId(), r.pid(),
          r.backend(), r.devices(), r.heapBytes() >> 20, r.gpus().length == 0 ? "-" : String.join(",", r.gpus())));
    }
    out.println(sb);
  }

  /** The test evaluation with the probability-based metrics (evaluation.json). */
  private static DistributedEvaluator.Result evaluateFully(JavaSparkContext sc, org.sparktrain.kernels.model.Network net,
                                                           TrainingData test, int classes) {
    if (test.distributed() != null) {
      return DistributedEvaluator.evaluateFully(sc, net, test.distributed(), classes, 512);
    }
    DistributedEvaluator.Result r = new DistributedEvaluator.Result(new Evaluation(classes),
        new org.sparktrain.kernels.eval.ProbabilityMetrics(classes));
    DistributedEvaluator.evaluateBlock(net, test.local(), classes, 512, r.evaluation(), r.probabilities());
    return r;
  }

  private static Evaluation evaluate(JavaSparkContext sc, org.sparktrain.kernels.model.Network net, TrainingData test,
                                     int classes) {
    if (test.distributed() != null) {
      return DistributedEvaluator.evaluate(sc, net, test.distributed(), classes, 512);
    }
    Evaluation eval = new Evaluation(classes);
    DistributedEvaluator.evaluateBlock(net, test.local(), classes, 512, eval);
    return eval;
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static double nanToZero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  /** The network configuration a config describes, for data of the given example shape. */
  public static ModelSpec buildNetwork(TrainConfig config, int[] exampleShape) {
    return buildNetwork(config, exampleShape, null);
  }

  /** {@link #buildNetwork(TrainConfig, int[])} with per-class loss weights (null: none). */
  public static ModelSpec buildNetwork(TrainConfig config, int[] exampleShape, double[] classWeights) {
    try {
      return NetworkFactory.spec(config.model().layers(), config.optimizer(), exampleShape,
          config.data().numClasses(), config.seed(), classWeights);
    } catch (IllegalArgumentException e) {
      if (e instanceof ConfigException) {
        throw e;
      }
      throw new ConfigException("model", e.getMessage(), e);
    }
  }

  private static Map<String, Object> metrics(TrainConfig config, TrainingData train, TrainingData test,
                                             TrainingResult r, Evaluation eval, double wall, String runId) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", runId);
    m.put("engine", config.engine());
    m.put("test_accuracy", eval.accuracy());
    m.put("test_f1_macro", eval.f1());
    m.put("test_examples", test.count());
    m.put("train_samples", r.trainSamples());
    m.put("train_examples", train.count());
    m.put("epochs", config.training().epochs());
    m.put("partitions", train.partitions());
    m.put("batch_size_per_worker", config.training().batchSize());
    m.put("averaging_frequency", config.averaging().frequency());
    // the run's last round number (a resumed run's rounds list holds only the rounds it trained)
    int resumedAfter = r.engineInfo().get("resumed_after_round") instanceof Integer i ? i : 0;
    m.put("rounds_total", r.rounds().isEmpty() ? resumedAfter : r.rounds().get(r.rounds().size() - 1).round());
    m.put("rounds_trained", r.rounds().size());
    m.put("training_seconds", r.wallSeconds());
    m.put("wall_seconds", wall);
    m.put("samples_per_second", r.samplesPerSecond());
    m.put("final_train_loss", r.rounds().isEmpty() ? Double.NaN : r.rounds().get(r.rounds().size() - 1).loss());
    m.put("sync_fraction", finiteOrNull(r.syncFraction()));
    m.put("straggler_spread", finiteOrNull(r.stragglerSpread()));
    m.put("mean_k", finiteOrNull(r.meanK()));
    m.putAll(r.engineInfo());
    m.put("rounds", r.rounds());
    return m;
  }

  private static Map<String, Object> provenance(JavaSparkContext sc, TrainConfig config, TrainingData train,
                                                TrainingData test, String runId) throws java.io.IOException {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("run_id", runId);
    p.put("seed", config.seed());
    Map<String, Object> data = new LinkedHashMap<>();
    train.files().forEach(f -> data.put("train_" + f.role(), f.provenance()));
    test.files().forEach(f -> data.put("test_" + f.role(), f.provenance()));
    p.put("data", data);
    p.put("environment", Provenance.environment(sc));
    p.put("config", ConfigLoader.yaml().readTree(ConfigLoader.toYaml(config)));
    return p;
  }
}
