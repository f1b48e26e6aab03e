package org.sparktrain.driver.checkpoint;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.train.FrequencyController;
import org.sparktrain.driver.train.TrainingState;
import org.sparktrain.kernels.train.FloatArrays;

/**
 * Checkpoints of one output directory, on any Hadoop file system. A checkpoint is a folder
 * {@code round-NNNNNNNN} holding {@code params.bin}, {@code updater.bin} (when the optimiser keeps
 * state), {@code mask.bin} (when pruning holds weights at zero), {@code state.json} (counters, cursor, seeds, controller state, data fingerprint),
 * {@code config.yaml}, {@code provenance.json} and, written last, {@code MANIFEST.json} with the
 * size and SHA-256 of every other file. It is written under a temporary name and renamed into place;
 * where rename is not atomic (object stores) the manifest is the commit marker, and a checkpoint
 * counts only when every file it lists is present with the listed hash.
 */
public final class CheckpointStore {
  /** Written last; a checkpoint without it is incomplete. */
  public static final String MANIFEST = "MANIFEST.json";
  static final String PREFIX = "round-";
  private static final String TMP_PREFIX = "_tmp-";
  private static final int FORMAT = 1;
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  private final FileSystem fs;
  private final Path dir;

  private CheckpointStore(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  /** The store at {@code dir} (created on first write). */
  public static CheckpointStore at(String dir, Configuration conf) {
    Path p = new Path(dir);
    try {
      FileSystem fs = p.getFileSystem(conf);
      return new CheckpointStore(fs, fs.makeQualified(p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open checkpoint directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The qualified directory. */
  public String dir() {
    return dir.toString();
  }

  /**
   * One published checkpoint as listed (not yet verified).
   *
   * @param name folder name
   * @param round rounds completed when it was written
   */
  public record Entry(String name, int round) {}

  /**
   * A checkpoint that passed verification.
   *
   * @param name folder name
   * @param state the training state
   * @param sequence its number among the checkpoints of its run (1-based)
   * @param configYaml the resolved config of the run that wrote it
   * @param data fingerprint of the training data (file name -> SHA-256)
   */
  public record Loaded(String name, TrainingState state, int sequence, String configYaml, Map<String, String> data) {}

  /** Published checkpoints, newest (highest round) first; temporary folders are ignored. */
  public List<Entry> list() {
    List<Entry> out = new ArrayList<>();
    try {
      if (!fs.exists(dir)) {
        return out;
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String n = st.getPath().getName();
        if (st.isDirectory() && n.startsWith(PREFIX)) {
          try {
            out.add(new Entry(n, Integer.parseInt(n.substring(PREFIX.length()))));
          } catch (NumberFormatException e) {
            // not ours
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparingInt(Entry::round).reversed());
    return out;
  }

  /**
   * Writes a checkpoint and publishes it, then verifies what was published.
   *
   * @param sequence its number among this run's checkpoints
   * @param configYaml the run's resolved config
   * @param provenanceJson the run's provenance
   * @param data fingerprint of the training data
   * @return the published folder name
   * @throws IOException if writing, publishing or verification fails (nothing published is removed)
   */
  public String write(TrainingState s, int sequence, String configYaml, String provenanceJson,
                      Map<String, String> data) throws IOException {
    String name = String.format(Locale.ROOT, "%s%08d", PREFIX, s.round());
    Path tmp = new Path(dir, TMP_PREFIX + name + "-" + UUID.randomUUID());
    fs.mkdirs(tmp);
    Map<String, Object> files = new LinkedHashMap<>();
    try {
      files.put("params.bin", writeFile(tmp, "params.bin", FloatArrays.toBytes(s.params())));
      if (s.updater() != null) {
        files.put("updater.bin", writeFile(tmp, "updater.bin", FloatArrays.toBytes(s.updater())));
      }
      if (s.mask() != null) {
        files.put("mask.bin", writeFile(tmp, "mask.bin", s.mask().toBytes()));
      }
      files.put("state.json", writeFile(tmp, "state.json", JSON.writeValueAsBytes(stateJson(s, data))));
      // credentials redacted, as in every artefact (ResumeCompatibility compares redacted forms)
      files.put("config.yaml", writeFile(tmp, "config.yaml", org.sparktrain.driver.output.Secrets.redact(configYaml)
          .getBytes(StandardCharsets.UTF_8)));
      files.put("provenance.json", writeFile(tmp, "provenance.json", org.sparktrain.driver.output.Secrets.redact(
          provenanceJson).getBytes(StandardCharsets.UTF_8)));
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("format", FORMAT);
      manifest.put("run_id", s.runId());
      manifest.put("round", s.round());
      manifest.put("sequence", sequence);
      manifest.put("created_utc", Instant.now().toString());
      manifest.put("files", files);
      writeFile(tmp, MANIFEST, JSON.writeValueAsBytes(manifest));
      Path target = new Path(dir, name);
      if (fs.exists(target)) {
        // the same round written again (a resumed run reaching a round whose checkpoint failed
        // verification, or a superseded run's): replaced only now that the new copy is complete.
        fs.delete(target, true);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("rename of " + tmp + " to " + target + " failed");
      }
    } catch (IOException | RuntimeException e) {
      fs.delete(tmp, true);
      throw e;
    }
    String problem = verify(name);
    if (problem != null) {
      throw new IOException("checkpoint " + name + " failed verification right after writing: " + problem);
    }
    return name;
  }

  /**
   * The newest checkpoint whose files all match its manifest. Each one that fails verification is
   * reported to {@code skipped} (name and reason) and the next older one is tried.
   *
   * @return the checkpoint, or null when none verifies
   */
  public Loaded newestVerified(Consumer<String> skipped) {
    for (Entry e : list()) {
      String problem = verify(e.name());
      if (problem != null) {
        skipped.accept("checkpoint " + new Path(dir, e.name()) + " failed verification (" + problem
            + "); falling back to the previous one");
        continue;
      }
      try {
        return read(e.name());
      } catch (IOException | RuntimeException ex) {
        skipped.accept("checkpoint " + new Path(dir, e.name()) + " cannot be read (" + ex.getMessage()
            + "); falling back to the previous one");
      }
    }
    return null;
  }

  /** Null when the checkpoint's files all match its manifest, else what is wrong. */
  public String verify(String name) {
    Path cp = new Path(dir, name);
    JsonNode manifest;
    try (InputStream in = fs.open(new Path(cp, MANIFEST))) {
      manifest = JSON.readTree(in);
    } catch (FileNotFoundException e) {
      return "no " + MANIFEST + " (an incomplete write)";
    } catch (IOException e) {
      return MANIFEST + " is unreadable: " + e.getMessage();
    }
    JsonNode files = manifest.get("files");
    if (manifest.path("format").asInt() != FORMAT || files == null || !files.has("params.bin")
        || !files.has("state.json")) {
      return MANIFEST + " is not a format-" + FORMAT + " manifest listing params.bin and state.json";
    }
    for (var it = files.fields(); it.hasNext(); ) {
      var f = it.next();
      Path p = new Path(cp, f.getKey());
      try {
        long size = fs.getFileStatus(p).getLen();
        long want = f.getValue().path("bytes").asLong(-1);
        if (size != want) {
          return f.getKey() + " has " + size + " bytes, the manifest says " + want;
        }
        String sha = sha256(p);
        if (!sha.equals(f.getValue().path("sha256").asText())) {
          return f.getKey() + " has SHA-256 " + sha.substring(0, 12) + "..., the manifest says "
              + f.getValue().path("sha256").asText().substring(0, Math.min(12, f.getValue().path("sha256").asText().length()))
              + "...";
        }
      } catch (FileNotFoundException e) {
        return f.getKey() + " is missing";
      } catch (IOException e) {
        return f.getKey() + " is unreadable: " + e.getMessage();
      }
    }
    return null;
  }

  /** Reads a checkpoint (call {@link #verify} first). */
  public Loaded read(String name) throws IOException {
    Path cp = new Path(dir, name);
    JsonNode manifest = readJson(new Path(cp, MANIFEST));
    JsonNode st = readJson(new Path(cp, "state.json"));
    float[] params = FloatArrays.fromBytes(readBytes(new Path(cp, "params.bin")));
    float[] updater = manifest.get("files").has("updater.bin")
        ? FloatArrays.fromBytes(readBytes(new Path(cp, "updater.bin"))) : null;
    org.sparktrain.kernels.prune.PruningMask mask = manifest.get("files").has("mask.bin")
        ? org.sparktrain.kernels.prune.PruningMask.fromBytes(readBytes(new Path(cp, "mask.bin"))) : null;
    JsonNode k = st.get("frequency");
    FrequencyController.Snapshot snap = k == null || k.isNull() ? null : new FrequencyController.Snapshot(
        k.get("k").asInt(), k.get("ceiling").asDouble(), k.get("step_seconds").asDouble(),
        k.get("sync_seconds").asDouble(), k.get("observed").asInt(), k.get("spread_cuts").asInt());
    JsonNode pc = st.get("partition_counts");
    int[] counts = new int[pc.size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = pc.get(i).asInt();
    }
    JsonNode cur = st.path("cursors");
    int[] batches = new int[cur.size()];
    for (int i = 0; i < batches.length; i++) {
      batches[i] = cur.get(i).path("batches_per_epoch").asInt();
    }
    TrainingState s = new TrainingState(st.get("run_id").asText(), st.get("round").asInt(), st.get("epoch").asInt(),
        st.get("step").asInt(), st.get("iteration").asInt(), st.get("samples").asLong(), params, updater,
        st.get("learning_rate").asDouble(), st.get("rollbacks").asInt(), snap, counts, batches,
        st.get("training_seconds").asDouble(), st.path("rng").path("seed").asLong(), mask);
    Map<String, String> data = new LinkedHashMap<>();
    st.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
    String config = new String(readBytes(new Path(cp, "config.yaml")), StandardCharsets.UTF_8);
    return new Loaded(name, s, manifest.path("sequence").asInt(), config, data);
  }

  /**
   * The {@code output.dir} in the config of the newest listed checkpoint (not verified), or null when
   * there is none or it cannot be read: whose checkpoints these are.
   */
  public String newestOutputDir() {
    List<Entry> all = list();
    if (all.isEmpty()) {
      return null;
    }
    try (InputStream in = fs.open(new Path(new Path(dir, all.get(0).name()), "config.yaml"))) {
      JsonNode out = org.sparktrain.driver.config.ConfigLoader.yaml().readTree(in).path("output").path("dir");
      return out.isTextual() ? out.asText() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The run id and sequence number a checkpoint's manifest records, or null when unreadable. */
  ManifestInfo manifest(String name) {
    try {
      JsonNode m = readJson(new Path(new Path(dir, name), MANIFEST));
      return new ManifestInfo(m.path("run_id").asText(), m.path("sequence").asInt());
    } catch (IOException e) {
      return null;
    }
  }

  /** What retention needs from a manifest. */
  record ManifestInfo(String runId, int sequence) {}

  /** Deletes one checkpoint folder. */
  void delete(String name) throws IOException {
    fs.delete(new Path(dir, name), true);
  }

  /** Removes temporary folders left by writers that died mid-write. */
  public int removeTemporary() {
    int n = 0;
    try {
      if (!fs.exists(dir)) {
        return 0;
      }
      for (FileStatus st : fs.listStatus(dir)) {
        if (st.getPath().getName().startsWith(TMP_PREFIX)) {
          fs.delete(st.getPath(), true);
          n++;
        }
      }
    } catch (IOException e) {
      // best effort: temporary folders are never read
    }
    return n;
  }

  private static Map<String, Object> stateJson(TrainingState s, Map<String, String> data) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", s.runId());
    m.put("round", s.round());
    m.put("epoch", s.epoch());
    m.put("step", s.step());
    m.put("iteration", s.iteration());
    m.put("samples", s.samples());
    m.put("learning_rate", s.learningRate());
    m.put("rollbacks", s.rollbacks());
    m.put("training_seconds", s.trainingSeconds());
    m.put("partition_counts", s.partitionCounts());
    // Each partition's cursor: the next round trains from batch min(step, batches) of epoch `epoch`
    // in the order BatchPlan draws from (seed, epoch, partition); a partition at its end is done.
    List<Map<String, Object>> cursors = new ArrayList<>();
    for (int p = 0; p < s.partitionCounts().length; p++) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("partition", p);
      c.put("examples", s.partitionCounts()[p]);
      c.put("epoch", s.epoch());
      int batches = s.partitionBatches()[p];
      c.put("next_batch", Math.min(s.step(), batches));
      c.put("batches_per_epoch", batches);
      cursors.add(c);
    }
    m.put("cursors", cursors);
    Map<String, Object> rng = new LinkedHashMap<>();
    rng.put("seed", s.seed());
    rng.put("batch_order", "BatchPlan.of(count, batch, seed, epoch, partition)");
    rng.put("in_network", "Nd4j random seeded with BatchPlan.mix(seed, round, partition, -1) each round");
    rng.put("augmentation", "BatchPlan.mix(seed, epoch, example id, copy)");
    m.put("rng", rng);
    if (s.frequency() != null) {
      FrequencyController.Snapshot k = s.frequency();
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("k", k.k());
      f.put("ceiling", k.ceiling());
      f.put("step_seconds", k.stepSeconds());
      f.put("sync_seconds", k.syncSeconds());
      f.put("observed", k.observed());
      f.put("spread_cuts", k.spreadCuts());
      m.put("frequency", f);
    }
    m.put("data", data);
    return m;
  }

  private Map<String, Object> writeFile(Path folder, String name, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(new Path(folder, name), false)) {
      out.write(bytes);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bytes", (long) bytes.length);
    m.put("sha256", HexFormat.of().formatHex(digest().digest(bytes)));
    return m;
  }

  private String sha256(Path p) throws IOException {
    MessageDigest md = digest();
    try (InputStream in = new DigestInputStream(fs.open(p), md)) {
      byte[] buf = new byte[1 << 16];
      while (in.read(buf) >= 0) {
        // digesting
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private JsonNode readJson(Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return JSON.readTree(in);
    }
  }

  private byte[] readBytes(Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
