package org.sparktrain.driver.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.driver.TrainingRun;
import org.sparktrain.driver.config.Choices;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.data.DataSources;
import org.sparktrain.driver.data.TableSource;
import org.sparktrain.driver.output.AtomicFile;
import org.sparktrain.driver.output.RunOutput;
import org.sparktrain.driver.output.Secrets;
import org.sparktrain.driver.predict.ModelEvaluation;
import org.sparktrain.driver.predict.ModelFiles;
import org.sparktrain.driver.registry.ModelRegistry;
import org.sparktrain.driver.registry.RegistryConflictException;
import org.sparktrain.driver.registry.Signing;

/**
 * One night of retraining, unattended: resolve the date's snapshot, check it against the champion's
 * training data, train a challenger (warm-started from the champion), evaluate both on the frozen
 * holdout, apply the gate, register the challenger and promote it or record why not, and write the
 * date's ledger entry. Idempotent per date: a date that ended promoted or rejected is not run again;
 * a date that crashed continues (training resumes from its checkpoints, a registered version is reused).
 */
public final class Retrain {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Retrain.class);

  private Retrain() {}

  /** How a night ended. */
  public enum Decision {
    /** The challenger beat the gate and is the champion now. */
    PROMOTED(true),
    /** The challenger was trained and registered, the gate kept the champion. */
    REJECTED(true),
    /** No snapshot for the date, or the one the champion was trained on. */
    NO_NEW_DATA(false),
    /** Volume, schema or null checks failed. */
    DATA_CHECK_FAILED(false),
    /** Features drifted beyond the thresholds ({@code retrain.drift.action: fail}). */
    DRIFT_DETECTED(false),
    /** Training stopped or failed. */
    TRAINING_FAILED(false),
    /** Another writer moved the champion while this run compared against it. */
    CONFLICT(false);

    private final boolean settles;

    Decision(boolean settles) {
      this.settles = settles;
    }

    /** True when a rerun of the date does nothing. */
    public boolean settlesDate() {
      return settles;
    }

    /** As written in the ledger. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What the night did.
   *
   * @param decision how it ended
   * @param version the challenger's registry version, or null
   * @param reasons why, one line each
   * @param repeated true when the date had already ended and nothing was done
   * @param ledger the ledger entry
   */
  public record Outcome(Decision decision, Integer version, List<String> reasons, boolean repeated,
                        Map<String, Object> ledger) {}

  /** Today in {@code retrain.time_zone}. */
  public static LocalDate today(TrainConfig config) {
    return LocalDate.now(java.time.ZoneId.of(config.retrain().timeZone()));
  }

  /** {@code template} with {@code {date}} (ISO) or {@code {date:PATTERN}} (a DateTimeFormatter pattern) filled in. */
  public static String resolve(String template, LocalDate date) {
    if (template == null) {
      return null;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{date(?::([^}]+))?}").matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v;
      try {
        v = m.group(1) == null ? date.toString()
            : date.format(java.time.format.DateTimeFormatter.ofPattern(m.group(1), Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("data.train.path", "'{date:" + m.group(1) + "}' is not a date pattern: "
            + e.getMessage());
      }
      m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** {@code config}'s data with the date filled into its train and test paths / tables. */
  static TrainConfig.Data snapshot(TrainConfig.Data d, LocalDate date) {
    TrainConfig.Split tr = d.train();
    TrainConfig.Split te = d.test();
    return new TrainConfig.Data(d.format(),
        new TrainConfig.Split(tr.images(), tr.labels(), tr.folder(), resolve(tr.path(), date), resolve(tr.table(), date),
            tr.fraction()),
        new TrainConfig.Split(te.images(), te.labels(), te.folder(), resolve(te.path(), date), resolve(te.table(), date),
            te.fraction()),
        d.numClasses(), d.partitions(), d.limit(), d.shuffle(), d.image(), d.onBadFile(), d.features(), d.label(),
        d.categorical(), d.normalize(), d.onNull(), d.csv());
  }

  /** The registry {@code config} names. */
  public static ModelRegistry registry(TrainConfig config, Configuration hadoop, PrintStream out) {
    TrainConfig.Registry r = config.registry();
    Signing keys = Signing.load(r.signingKey(), r.verifyKey(), hadoop);
    return ModelRegistry.open(r.uri(), hadoop, keys, r.verifyChoice() == Choices.Verify.WARN
        ? ModelRegistry.Verify.WARN : ModelRegistry.Verify.REQUIRE, m -> out.println("warning: " + Secrets.redact(m)));
  }

  /**
   * Refuses, before any Spark work, a config retrain cannot run: not table data, no registry or
   * model name, an engine that cannot warm-start while warm starts are on.
   */
  public static void requireRunnable(TrainConfig config) {
    if (!config.data().tabular()) {
      throw new ConfigException("data.format", "'" + config.data().format() + "': retrain reads table snapshots (parquet, "
          + "csv, orc, json or table): the registry keeps the feature spec that predict and evaluate need");
    }
    if (config.registry().uri() == null || config.registry().uri().isBlank()) {
      throw new ConfigException("registry.uri", "is required for retrain (a directory: file://, hdfs://, s3a://, gs://)");
    }
    String name = config.registry().model();
    if (name == null || name.isBlank()) {
      throw new ConfigException("registry.model", "is required for retrain (the model's name in the registry)");
    }
    if (config.retrain().warmStart() && config.engineChoice() != Choices.Engine.SPARKTRAIN) {
      throw new ConfigException("retrain.warm_start", "is true, but engine '" + config.engine() + "' cannot start from a "
          + "trained model; use engine sparktrain or set retrain.warm_start: false");
    }
  }

  /** Runs the night of {@code date}. */
  public static Outcome run(JavaSparkContext sc, TrainConfig config, LocalDate date, PrintStream out) {
    requireRunnable(config);
    String name = config.registry().model();
    Configuration hadoop = sc.hadoopConfiguration();
    ModelRegistry reg = registry(config, hadoop, out);
    String day = date.toString();
    JsonNode prior = reg.ledger(name, day);
    if (prior != null && settled(prior)) {
      Decision d = Decision.valueOf(prior.path("decision").asText().toUpperCase(Locale.ROOT));
      String line = "retrain " + name + " " + day + ": already finished at " + prior.path("finished").asText() + " ("
          + d.label() + (prior.hasNonNull("version") ? ", version " + prior.path("version").asInt() : "")
          + "); nothing to do";
      out.println(line);
      @SuppressWarnings("unchecked")
      Map<String, Object> entry = JSON.convertValue(prior, Map.class);
      return new Outcome(d, prior.hasNonNull("version") ? prior.path("version").asInt() : null, List.of(line), true,
          entry);
    }
    return new Night(sc, config, reg, name, date, prior, out).run();
  }

  private static boolean settled(JsonNode entry) {
    try {
      return Decision.valueOf(entry.path("decision").asText("").toUpperCase(Locale.ROOT)).settlesDate();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** One night's state. */
  private static final class Night {
    private final JavaSparkContext sc;
    private final TrainConfig config;
    private final ModelRegistry reg;
    private final String name;
    private final LocalDate date;
    private final JsonNode prior;
    private final PrintStream out;
    private final Map<String, Object> ledger = new LinkedHashMap<>();
    private final Map<String, Object> seconds = new LinkedHashMap<>();
    private final long t0 = System.nanoTime();
    private final Path work;
    private final String by;

    Night(JavaSparkContext sc, TrainConfig config, ModelRegistry reg, String name, LocalDate date, JsonNode prior,
          PrintStream out) {
      this.sc = sc;
      this.config = config;
      this.reg = reg;
      this.name = name;
      this.date = date;
      this.prior = prior;
      this.out = out;
      String wd = config.retrain().workDir();
      this.work = new Path(wd == null || wd.isBlank() ? new Path(reg.modelDir(name), "runs") : new Path(wd),
          date.toString());
      this.by = "retrain " + date + " on " + host() + " (" + System.getProperty("user.name", "?") + ")";
    }

    Outcome run() {
      ledger.put("date", date.toString());
      ledger.put("model", name);
      ledger.put("registry", reg.uri());
      ledger.put("started", java.time.Instant.now().toString());
      ledger.put("attempt", prior == null ? 1 : prior.path("attempt").asInt(1) + 1);
      ledger.put("by", by);
      TrainConfig.Data snap = snapshot(config.data(), date);
      boolean table = snap.formatChoice() == Choices.DataFormat.TABLE;
      String at = table ? snap.train().table() : snap.train().path();
      ledger.put("data", Secrets.redact(at));
      out.println("retrain " + name + " " + date + ": snapshot " + Secrets.redact(at) + ", registry " + reg.uri());

      // 1. is there new data?
      SparkSession spark = DataSources.session(sc);
      if (!exists(spark, table, at)) {
        return end(Decision.NO_NEW_DATA, null, List.of("no snapshot for " + date + ": " + Secrets.redact(at)
            + " does not exist"));
      }
      Dataset<Row> rows = TableSource.read(spark, snap.formatChoice(), snap.csv(), at, "data.train." + (table ? "table"
          : "path"));
      String fingerprint = fingerprint(rows, at);
      ledger.put("data_fingerprint", fingerprint);
      ModelRegistry.Alias champ = reg.alias(name, "champion");
      ledger.put("champion_before", champ == null ? null : champ.version());
      ModelRegistry.Verified champVersion = champ == null ? null : reg.verify(name, champ.version());
      JsonNode champGate = champVersion == null ? null : json(reg.read(champVersion, "gate.json"));
      if (champGate != null && fingerprint.equals(champGate.path("data_fingerprint").asText())) {
        return end(Decision.NO_NEW_DATA, null, List.of("the snapshot " + Secrets.redact(at) + " is the one champion "
            + "version " + champ.version() + " was trained on (same files, sizes and times)"));
      }

      // 2. data checks against the champion's training data
      long c0 = System.nanoTime();
      byte[] refBytes = champVersion == null ? null : reg.read(champVersion, "data_profile.json");
      DataProfile reference = refBytes == null ? null : DataProfile.fromJson(refBytes, "version " + champ.version()
          + " data_profile.json");
      DataProfile.Computed profile = DataProfile.compute(rows, snap.features(), snap.label(), snap.categorical(),
          reference);
      DataChecks.Report checks = DataChecks.run(profile, reference, config);
      seconds.put("data_checks", (System.nanoTime() - c0) / 1e9);
      writeWork("data_checks.json", checks.report());
      Map<String, Object> cs = new LinkedHashMap<>();
      cs.put("passed", checks.passed());
      cs.put("drift_detected", checks.driftDetected());
      cs.put("failures", checks.failures());
      cs.put("report", new Path(work, "data_checks.json").toString());
      ledger.put("data_checks", cs);
      checks.failures().forEach(f -> out.println("data check: " + f));
      if (!checks.passed()) {
        boolean onlyDrift = checks.failures().stream().allMatch(f -> f.startsWith("drift:"));
        return end(onlyDrift ? Decision.DRIFT_DETECTED : Decision.DATA_CHECK_FAILED, null, checks.failures());
      }
      out.printf(Locale.ROOT, "data checks passed: %,d rows%s%n", profile.profile().rows(), checks.driftDetected()
          ? " (drift recorded, retrain.drift.action: warn)" : "");

      // 3. the challenger
      Path runDir = new Path(work, "challenger");
      ModelFiles champion = champ == null ? null : reg.load(name, champ.version());
      TrainingRun.WarmStart warm = null;
      if (config.retrain().warmStart() && champion != null) {
        if (champion.config().model().layers().equals(config.model().layers())) {
          warm = new TrainingRun.WarmStart(name + "@" + champ.version(), champion.sha256(), champion.network(), true);
        } else {
          out.println("warm start: off (model.layers differ from champion version " + champ.version() + "'s)");
        }
      }
      ledger.put("warm_start", warm == null ? null : warm.source());
      long r0 = System.nanoTime();
      TrainConfig runConfig = config.withData(snap).withOutputDir(runDir.toString());
      try {
        if (RunOutput.finished(runDir.toString(), sc.hadoopConfiguration())) {
          out.println("challenger: " + runDir + " already finished (an earlier attempt of " + date + "): reusing it");
        } else {
          TrainingRun.run(sc, runConfig, false, false, out, List.of(), warm);
        }
      } catch (ConfigException | RegistryConflictException e) {
        throw e;
      } catch (RuntimeException e) {
        LOG.error("training the challenger of {} for {} failed", name, date, e);
        return end(Decision.TRAINING_FAILED, null, List.of("training failed: " + Secrets.redact(
            String.valueOf(e.getMessage())) + " (checkpoints in " + Secrets.redact(runDir.toString()) + " are kept; a "
            + "rerun of " + date + " resumes from them)"));
      }
      seconds.put("training", (System.nanoTime() - r0) / 1e9);

      // 4. both on the frozen holdout
      long e0 = System.nanoTime();
      Holdout holdout = Holdout.pinOrLoad(reg, name, config.retrain().holdout(), out);
      TrainConfig.Data hd = config.data().forInput(null, holdout.path());
      ModelFiles challenger = ModelFiles.read(runDir.toString(), sc.hadoopConfiguration());
      ModelEvaluation.Result ce = ModelEvaluation.evaluate(sc, challenger, hd, "holdout");
      ModelEvaluation.Result be = champion == null ? null : ModelEvaluation.evaluate(sc, champion, hd, "holdout");
      seconds.put("evaluation", (System.nanoTime() - e0) / 1e9);
      Map<String, Double> cm = Gate.metrics(ce.json());
      Map<String, Double> bm = be == null ? null : Gate.metrics(be.json());

      // 5. the gate
      Gate.Decision gate = Gate.decide(config.retrain().gate(), cm, bm);
      Map<String, Object> gj = new LinkedHashMap<>(gate.toMap());
      gj.put("date", date.toString());
      gj.put("champion_version", champ == null ? null : champ.version());
      gj.put("challenger_metrics", cm);
      gj.put("champion_metrics", bm);
      gj.put("holdout", Map.of("sha256", holdout.sha256(), "source", Secrets.redact(holdout.source()), "files",
          holdout.files(), "rows", ce.rows()));
      gj.put("data_fingerprint", fingerprint);
      gj.put("warm_start", warm == null ? null : warm.source());
      out.printf(Locale.ROOT, "holdout (%,d rows): challenger accuracy %.4f%s: gate %s%n", ce.rows(),
          cm.getOrDefault("accuracy", Double.NaN), bm == null ? " (no champion)"
              : String.format(Locale.ROOT, ", champion (version %d) %.4f", champ.version(),
              bm.getOrDefault("accuracy", Double.NaN)), gate.passed() ? "passed" : "rejected");
      gate.checks().forEach(c -> c.reasons().forEach(r -> out.println("  " + r)));
      ledger.put("gate", Map.of("passed", gate.passed(), "failures", gate.failures()));
      ledger.put("holdout", Map.of("challenger", cm, "champion", bm == null ? Map.of() : bm));

      // 6. register (once per date, even across attempts)
      Integer version = prior != null && prior.hasNonNull("version") && prior.path("data_fingerprint").asText()
          .equals(fingerprint) ? prior.path("version").asInt() : null;
      if (version != null) {
        reg.verify(name, version);
        out.println("registry: version " + version + " was registered by an earlier attempt of " + date);
      } else {
        Map<String, byte[]> files = new LinkedHashMap<>();
        FileSystem fs = fileSystem(runDir);
        for (String f : List.of("model.zip", "features.json", "config.yaml", "metrics.json", "evaluation.json",
            "provenance.json")) {
          files.put(f, read(fs, new Path(runDir, f)));
        }
        files.put("data_profile.json", utf8(profile.profile().toJson()));
        files.put("data_checks.json", utf8(write(checks.report())));
        files.put("holdout_evaluation.json", utf8(write(ce.json())));
        if (be != null) {
          files.put("champion_holdout_evaluation.json", utf8(write(be.json())));
        }
        files.put("gate.json", utf8(write(gj)));
        version = reg.register(name, files, champ == null ? null : champ.version());
        ledger.put("version", version);
        ledger.put("decision", "registered");
        reg.writeLedger(name, date.toString(), ledger); // a crash from here on reuses the version
        out.println("registry: registered " + name + " version " + version + " in " + reg.uri());
        crashPoint("registered", out);
      }
      ledger.put("version", version);
      reg.move(name, "challenger", version, null, "trained on " + date + (gate.passed() ? "" : " (rejected)"), by);
      crashPoint("challenger_moved", out);

      // 7. promote, or record why not
      if (!gate.passed()) {
        return end(Decision.REJECTED, version, gate.failures());
      }
      try {
        ModelRegistry.Alias now = reg.alias(name, "champion");
        long expected = champ == null ? 0 : champ.generation();
        if ((now == null ? 0 : now.generation()) != expected) {
          throw new RegistryConflictException("champion of " + name + " moved to version " + now.version()
              + " while this run compared version " + version + " against " + (champ == null ? "none"
              : "version " + champ.version()));
        }
        if (champ != null) {
          reg.move(name, "previous", champ.version(), null, "replaced by version " + version + " on " + date, by);
          crashPoint("previous_moved", out);
        }
        String why = champ == null ? "first version (gate thresholds passed)"
            : "beat version " + champ.version() + " on the holdout: " + String.join("; ", passes(gate));
        reg.move(name, "champion", version, expected, why, by);
      } catch (RegistryConflictException e) {
        return end(Decision.CONFLICT, version, List.of(e.getMessage() + "; version " + version + " stays registered "
            + "(rerun the date to compare it against the new champion, or 'registry promote')"));
      }
      return end(Decision.PROMOTED, version, passes(gate));
    }

    private List<String> passes(Gate.Decision gate) {
      List<String> out = new ArrayList<>();
      gate.checks().forEach(c -> out.addAll(c.reasons()));
      return out;
    }

    private Outcome end(Decision d, Integer version, List<String> reasons) {
      seconds.put("total", (System.nanoTime() - t0) / 1e9);
      ledger.put("decision", d.label());
      ledger.put("version", version);
      ModelRegistry.Alias champ = reg.alias(name, "champion");
      ledger.put("champion_after", champ == null ? null : champ.version());
      ledger.put("reasons", reasons);
      ledger.put("seconds", seconds);
      ledger.put("finished", java.time.Instant.now().toString());
      reg.writeLedger(name, date.toString(), ledger);
      writeWork("metrics.prom", RetrainMetrics.of(ledger, reg.modelDir(name).toString()));
      out.println("retrain " + name + " " + date + ": " + d.label() + (version == null ? "" : " (version " + version
          + ")") + (reasons.isEmpty() ? "" : ": " + reasons.get(0)));
      return new Outcome(d, version, reasons, false, ledger);
    }

    private void writeWork(String file, Object content) {
      String text = content instanceof String s ? s : write(content);
      AtomicFile.writeText(new Path(work, file).toString(), Secrets.redact(text), true, sc.hadoopConfiguration());
    }

    private FileSystem fileSystem(Path p) {
      try {
        return p.getFileSystem(sc.hadoopConfiguration());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private boolean exists(SparkSession spark, boolean table, String at) {
      if (table) {
        return spark.catalog().tableExists(at);
      }
      try {
        Path p = new Path(at);
        FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
        if (!fs.exists(p)) {
          return false;
        }
        FileStatus st = fs.getFileStatus(p);
        return st.isFile() || Arrays.stream(fs.listStatus(p)).anyMatch(s -> !s.getPath().getName().startsWith("_")
            && !s.getPath().getName().startsWith("."));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot check " + Secrets.redact(at) + ": " + e.getMessage(), e);
      }
    }
  }

  /** Environment variable naming a step after which the process waits to be killed (crash tests). */
  static final String CRASH_POINT_ENV = "SPARKTRAIN_RETRAIN_PAUSE_AT";

  /**
   * Fault injection for the crash tests ({@code RetrainKillIT}): when {@value #CRASH_POINT_ENV} names
   * {@code point}, says so and waits forever, so the test can {@code kill -9} the driver exactly
   * between two registry writes.
   */
  private static void crashPoint(String point, PrintStream out) {
    if (point.equals(System.getenv(CRASH_POINT_ENV))) {
      out.println("paused at " + point + " (" + CRASH_POINT_ENV + ")");
      out.flush();
      while (true) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted at crash point " + point);
        }
      }
    }
  }

  /** The snapshot's input files, sizes and modification times hashed (as provenance does). */
  static String fingerprint(Dataset<Row> rows, String at) {
    return TableSource.listing(rows, Secrets.redact(at)).sha256();
  }

  private static JsonNode json(byte[] b) {
    try {
      return b == null ? null : JSON.readTree(b);
    } catch (IOException e) {
      return null;
    }
  }

  private static String write(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] utf8(String s) {
    return Secrets.redact(s).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] read(FileSystem fs, Path p) {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + Secrets.redact(p.toString()) + ": " + e.getMessage(), e);
    }
  }

  private static String host() {
    return ModelRegistry.host();
  }
}
