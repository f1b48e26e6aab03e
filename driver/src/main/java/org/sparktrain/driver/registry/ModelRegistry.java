package org.sparktrain.driver.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.output.BuildInfo;
import org.sparktrain.driver.output.Secrets;

/**
 * A model registry on any Hadoop path ({@code registry.uri}: file://, hdfs://, s3a://, gs://).
 *
 * <pre>
 * URI/MODEL/versions/000007/     immutable: model.zip, features.json, metrics.json, evaluation.json,
 *                                provenance.json, ..., MANIFEST.json (SHA-256 of each), MANIFEST.sig
 * URI/MODEL/versions/000007.claim  who took number 7 (created exclusively)
 * URI/MODEL/aliases/champion/g-0000000004.json   alias generations; the highest is the alias
 * URI/MODEL/ledger/2026-12-02.json               one retrain run per date
 * URI/MODEL/holdout/                              the frozen holdout and its HOLDOUT.json
 * </pre>
 *
 * Writers never change a file another reader may hold: a version number is claimed by creating its
 * claim file exclusively, its files are written once, and the manifest is written last (a version
 * without one is incomplete and cannot be aliased or loaded). An alias move creates the next
 * generation file exclusively after reading the current one, so of two writers that read the same
 * generation exactly one moves the alias and the other gets {@link RegistryConflictException}
 * (see {@link ExclusiveFiles} for what each store guarantees).
 */
public final class ModelRegistry {
  /** How a version without a valid signature is treated. */
  public enum Verify { REQUIRE, WARN }

  /** The manifest and its signature. */
  public static final String MANIFEST = "MANIFEST.json";
  public static final String SIGNATURE = "MANIFEST.sig";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,99}");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;
  private final FileSystem fs;
  private final Signing signing;
  private final Verify mode;
  private final Consumer<String> warn;

  private ModelRegistry(Path root, FileSystem fs, Signing signing, Verify mode, Consumer<String> warn) {
    this.root = root;
    this.fs = fs;
    this.signing = signing;
    this.mode = mode;
    this.warn = warn;
  }

  /**
   * The registry at {@code uri} (created on the first write).
   *
   * @param warn where warnings go (an unsigned version under {@link Verify#WARN})
   */
  public static ModelRegistry open(String uri, Configuration hadoop, Signing signing, Verify mode,
                                   Consumer<String> warn) {
    if (uri == null || uri.isBlank()) {
      throw new ConfigException("registry.uri", "is required (a directory: file://, hdfs://, s3a://, gs://)");
    }
    try {
      Path p = new Path(uri);
      FileSystem fs = p.getFileSystem(hadoop);
      if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) {
        // no .crc side files: the manifest's SHA-256 is the registry's checksum
        fs = local.getRaw();
      }
      return new ModelRegistry(fs.makeQualified(p), fs, signing, mode, warn);
    } catch (IOException e) {
      throw new ConfigException("registry.uri", "cannot open " + Secrets.redact(uri) + ": " + e.getMessage());
    }
  }

  /** The registry's root (credentials redacted). */
  public String uri() {
    return Secrets.redact(root.toString());
  }

  /** The Hadoop path of {@code model}'s directory. */
  public Path modelDir(String model) {
    return new Path(root, requireName(model, "model name"));
  }

  /** The directory of version {@code v}. */
  public Path versionDir(String model, int v) {
    return new Path(new Path(modelDir(model), "versions"), String.format(Locale.ROOT, "%06d", v));
  }

  /** The file system the registry is on. */
  public FileSystem fileSystem() {
    return fs;
  }

  static String requireName(String name, String what) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ConfigException(what, "'" + name + "' is not allowed; allowed: lower-case letters, digits, '_', "
          + "'-', '.', starting with a letter");
    }
    return name;
  }

  /** The models in the registry. */
  public List<String> models() {
    List<String> out = new ArrayList<>();
    for (FileStatus s : list(root)) {
      if (s.isDirectory() && NAME.matcher(s.getPath().getName()).matches()) {
        out.add(s.getPath().getName());
      }
    }
    out.sort(null);
    return out;
  }

  /**
   * A version as listed.
   *
   * @param version its number
   * @param manifest its manifest, or null while incomplete (being written, or its writer died)
   * @param modifiedMillis when its directory last changed
   */
  public record VersionInfo(int version, Manifest manifest, long modifiedMillis) {
    /** True when the manifest is written. */
    public boolean complete() {
      return manifest != null;
    }
  }

  /** The versions of {@code model}, oldest first (unverified: use {@link #verify} before loading one). */
  public List<VersionInfo> versions(String model) {
    Path dir = new Path(modelDir(model), "versions");
    List<VersionInfo> out = new ArrayList<>();
    for (FileStatus s : list(dir)) {
      String n = s.getPath().getName();
      if (s.isDirectory() && n.matches("\\d{6,}")) {
        int v = Integer.parseInt(n);
        Manifest m = null;
        byte[] bytes = readOrNull(new Path(s.getPath(), MANIFEST));
        if (bytes != null) {
          try {
            m = Manifest.parse(bytes, new Path(s.getPath(), MANIFEST).toString());
          } catch (VerificationException e) {
            warn.accept(e.getMessage());
          }
        }
        out.add(new VersionInfo(v, m, s.getModificationTime()));
      }
    }
    out.sort(Comparator.comparingInt(VersionInfo::version));
    return out;
  }

  /**
   * Registers a new version holding {@code files} (name to content; flat names), signed when a
   * signing key is loaded. Numbers are claimed exclusively, so concurrent writers get distinct ones.
   *
   * @param parent the version this one derives from, or null
   * @return the version number
   */
  public int register(String model, Map<String, byte[]> files, Integer parent) {
    if (!signing.canSign()) {
      if (mode == Verify.REQUIRE) {
        throw new ConfigException("registry.signing_key", "is not set: versions of a registry with registry.verify: "
            + "require must be signed (set it, or " + Signing.SIGNING_KEY_ENV + ", to a key from 'sparktrain registry "
            + "keygen'; registry.verify: warn allows unsigned versions in a development registry)");
      }
      warn.accept("registry.signing_key is not set: registering an unsigned version of " + model);
    }
    for (String name : files.keySet()) {
      if (name.contains("/") || name.equals(MANIFEST) || name.equals(SIGNATURE) || name.startsWith(".")) {
        throw new IllegalArgumentException("not a version file name: " + name);
      }
    }
    int v = claim(model);
    Path dir = versionDir(model, v);
    try {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        try (OutputStream o = fs.create(new Path(dir, f.getKey()), false)) {
          o.write(f.getValue());
        }
      }
      Manifest manifest = Manifest.of(model, v, parent, codeVersion(), files);
      byte[] bytes = manifest.toBytes();
      if (signing.canSign()) {
        try (OutputStream o = fs.create(new Path(dir, SIGNATURE), false)) {
          o.write(signature(bytes));
        }
      }
      // last: the version is complete once its manifest exists
      Path tmp = new Path(dir, "._" + MANIFEST + "-" + UUID.randomUUID());
      try (OutputStream o = fs.create(tmp, false)) {
        o.write(bytes);
      }
      if (!fs.rename(tmp, new Path(dir, MANIFEST))) {
        throw new IOException("could not rename " + tmp + " to " + MANIFEST);
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write version " + v + " of " + model + " in " + uri() + ": "
          + e.getMessage(), e);
    }
  }

  private static String codeVersion() {
    return "sparktrain " + BuildInfo.get("sparktrain.version") + " (" + BuildInfo.get("git.commit") + ")";
  }

  /** Claims the next free version number. */
  private int claim(String model) {
    Path dir = new Path(modelDir(model), "versions");
    int next = 1;
    for (FileStatus s : list(dir)) {
      String n = s.getPath().getName().replace(".claim", "");
      if (n.matches("\\d{6,}")) {
        next = Math.max(next, Integer.parseInt(n) + 1);
      }
    }
    byte[] who = (java.time.Instant.now() + " " + host() + "\n").getBytes(StandardCharsets.UTF_8);
    for (int tries = 0; tries < 1000; tries++, next++) {
      try {
        if (ExclusiveFiles.create(fs, new Path(dir, String.format(Locale.ROOT, "%06d.claim", next)), who)) {
          return next;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot claim a version of " + model + " in " + uri() + ": " + e.getMessage(), e);
      }
    }
    throw new RegistryConflictException("could not claim a version number of " + model + " after 1000 attempts");
  }

  /** This machine's host name (recorded with claims and alias moves). */
  public static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  /**
   * A version checked against its manifest and signature.
   *
   * @param model the model
   * @param version the number
   * @param dir its directory
   * @param manifest its manifest
   * @param signed whether a signature was present and verified
   */
  public record Verified(String model, int version, Path dir, Manifest manifest, boolean signed) {
    /** The recorded SHA-256 of {@code file}, or null. */
    public String sha256(String file) {
      Manifest.Digest d = manifest.files().get(file);
      return d == null ? null : d.sha256();
    }
  }

  /**
   * Verifies version {@code v}: the manifest exists and names this model and version, its signature
   * verifies (or, under {@link Verify#WARN}, a warning says it does not), and every file it lists has
   * the recorded size and SHA-256.
   *
   * @throws VerificationException naming the first file that fails
   */
  public Verified verify(String model, int v) {
    Path dir = versionDir(model, v);
    Path mf = new Path(dir, MANIFEST);
    byte[] bytes = readOrNull(mf);
    if (bytes == null) {
      if (readOrNull(new Path(new Path(modelDir(model), "versions"), String.format(Locale.ROOT, "%06d.claim", v)))
          == null) {
        throw new VerificationException(dir.toString(), "no such version of " + model + " (versions: "
            + versions(model).stream().filter(VersionInfo::complete).map(i -> String.valueOf(i.version())).toList() + ")");
      }
      throw new VerificationException(mf.toString(), "does not exist: version " + v + " of " + model + " is incomplete "
          + "(its writer did not finish)");
    }
    Manifest m = Manifest.parse(bytes, mf.toString());
    if (!model.equals(m.model()) || m.version() != v) {
      throw new VerificationException(mf.toString(), "describes " + m.model() + " version " + m.version()
          + ", not " + model + " version " + v + " (copied from elsewhere?)");
    }
    boolean signed = checkSignature(new Path(dir, SIGNATURE), bytes);
    for (Map.Entry<String, Manifest.Digest> f : m.files().entrySet()) {
      Path p = new Path(dir, f.getKey());
      byte[] content = readOrNull(p);
      if (content == null) {
        throw new VerificationException(p.toString(), "is listed in the manifest but missing");
      }
      if (content.length != f.getValue().bytes() || !Manifest.sha256(content).equals(f.getValue().sha256())) {
        throw new VerificationException(p.toString(), "does not match the manifest (SHA-256 " + Manifest.sha256(content)
            .substring(0, 16) + "..., " + content.length + " bytes; manifest: " + f.getValue().sha256().substring(0, 16)
            + "..., " + f.getValue().bytes() + " bytes): the file was changed after it was registered");
      }
    }
    return new Verified(model, v, dir, m, signed);
  }

  private boolean checkSignature(Path sf, byte[] manifest) {
    byte[] sig = readOrNull(sf);
    String problem;
    if (sig == null) {
      problem = "does not exist: the version is unsigned";
    } else if (!signing.canVerify()) {
      problem = "cannot be checked: registry.verify_key (or " + Signing.VERIFY_KEY_ENV + ") is not set";
    } else {
      String value;
      try {
        value = JSON.readTree(sig).path("signature").asText("");
      } catch (IOException e) {
        value = "";
      }
      if (signing.verify(manifest, value)) {
        return true;
      }
      problem = "does not verify with the key " + signing.verifyKeyId() + ": the manifest was changed after it was "
          + "signed, or another key signed it";
    }
    if (mode == Verify.REQUIRE) {
      throw new VerificationException(sf.toString(), problem + " (registry.verify: require)");
    }
    warn.accept(sf + " " + problem + " (registry.verify: warn: using it anyway)");
    return false;
  }

  // ---------------------------------------------------------------------------------------- aliases

  /**
   * One generation of an alias.
   *
   * @param alias the alias
   * @param version the version it points to
   * @param generation its generation (1 for the first)
   * @param from the version it pointed to before, or null
   * @param reason why it moved
   * @param by who moved it (command, date, host)
   * @param time ISO-8601 instant
   */
  public record Alias(@JsonProperty("alias") String alias, @JsonProperty("version") int version,
                      @JsonProperty("generation") long generation, @JsonProperty("from") Integer from,
                      @JsonProperty("reason") String reason, @JsonProperty("by") String by,
                      @JsonProperty("time") String time) {}

  /** The current generation of {@code alias}, or null when it was never set. */
  public Alias alias(String model, String alias) {
    List<Alias> h = aliasHistory(model, alias);
    return h.isEmpty() ? null : h.get(h.size() - 1);
  }

  /** Every generation of {@code alias}, oldest first (unreadable generation files are skipped with a warning). */
  public List<Alias> aliasHistory(String model, String alias) {
    Path dir = new Path(new Path(modelDir(model), "aliases"), requireName(alias, "alias"));
    List<Alias> out = new ArrayList<>();
    for (FileStatus s : list(dir)) {
      String n = s.getPath().getName();
      if (n.matches("g-\\d+\\.json")) {
        byte[] b = readOrNull(s.getPath());
        try {
          out.add(JSON.readValue(b, Alias.class));
        } catch (IOException | RuntimeException e) {
          warn.accept(s.getPath() + " is not a readable alias generation; ignored");
        }
      }
    }
    out.sort(Comparator.comparingLong(Alias::generation));
    return out;
  }

  /** Every alias of {@code model} and where it points. */
  public Map<String, Alias> aliases(String model) {
    Map<String, Alias> out = new TreeMap<>();
    for (FileStatus s : list(new Path(modelDir(model), "aliases"))) {
      if (s.isDirectory()) {
        Alias a = alias(model, s.getPath().getName());
        if (a != null) {
          out.put(s.getPath().getName(), a);
        }
      }
    }
    return out;
  }

  /**
   * Points {@code alias} at {@code version} (which must verify), if the alias is still at
   * {@code expectedGeneration} (null: whatever it is now).
   *
   * @throws RegistryConflictException when another writer moved it first
   */
  public Alias move(String model, String alias, int version, Long expectedGeneration, String reason, String by) {
    verify(model, version);
    Alias current = alias(model, alias);
    long gen = current == null ? 0 : current.generation();
    if (expectedGeneration != null && expectedGeneration != gen) {
      throw new RegistryConflictException(alias + " of " + model + " moved to version " + (current == null ? "-"
          : current.version()) + " (generation " + gen + ") after this run read generation " + expectedGeneration);
    }
    Alias next = new Alias(alias, version, gen + 1, current == null ? null : current.version(), reason, by,
        java.time.Instant.now().toString());
    Path file = new Path(new Path(new Path(modelDir(model), "aliases"), alias),
        String.format(Locale.ROOT, "g-%010d.json", gen + 1));
    try {
      if (!ExclusiveFiles.create(fs, file, JSON.writeValueAsBytes(next))) {
        Alias won = alias(model, alias);
        throw new RegistryConflictException(alias + " of " + model + " was moved by another writer to version "
            + (won == null ? "?" : won.version()) + " at the same time (generation " + (gen + 1) + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move alias " + alias + " of " + model + ": " + e.getMessage(), e);
    }
    return next;
  }

  /** The version {@code ref} names: a number ({@code 7} or {@code v7}) or an alias. */
  public int resolve(String model, String ref) {
    String r = ref.startsWith("v") && ref.length() > 1 && ref.substring(1).chars().allMatch(Character::isDigit)
        ? ref.substring(1) : ref;
    if (!r.isEmpty() && r.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(r);
    }
    Alias a = alias(model, r);
    if (a == null) {
      throw new ConfigException("model reference", "'" + model + "@" + ref + "': " + model + " has no alias '" + ref
          + "' in " + uri() + " (aliases: " + aliases(model).keySet() + ")");
    }
    return a.version();
  }

  // ---------------------------------------------------------------------------------- ledger, files

  /** The ledger entry of {@code date}, or null. */
  public JsonNode ledger(String model, String date) {
    byte[] b = readOrNull(new Path(new Path(modelDir(model), "ledger"), date + ".json"));
    try {
      return b == null ? null : JSON.readTree(b);
    } catch (IOException e) {
      warn.accept("ledger entry " + date + " of " + model + " is unreadable: " + e.getMessage());
      return null;
    }
  }

  /** Every ledger entry, by date. */
  public List<JsonNode> ledger(String model) {
    List<JsonNode> out = new ArrayList<>();
    for (FileStatus s : list(new Path(modelDir(model), "ledger"))) {
      String n = s.getPath().getName();
      if (n.endsWith(".json") && !n.startsWith(".")) {
        JsonNode e = ledger(model, n.substring(0, n.length() - 5));
        if (e != null) {
          out.add(e);
        }
      }
    }
    out.sort(Comparator.comparing(e -> e.path("date").asText()));
    return out;
  }

  /** Writes (replaces) the ledger entry of {@code date}, whole or not at all. */
  public void writeLedger(String model, String date, Map<String, Object> entry) {
    try {
      org.sparktrain.driver.output.AtomicFile.writeText(new Path(new Path(modelDir(model), "ledger"), date + ".json")
          .toString(), Secrets.redact(JSON.writeValueAsString(entry)), true, fs.getConf());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads version {@code v} for scoring or warm starts: verified (manifest, signature, digests), then
   * read, and the model bytes read must be the ones verified.
   */
  public org.sparktrain.driver.predict.ModelFiles load(String model, int v) {
    Verified ver = verify(model, v);
    org.sparktrain.driver.predict.ModelFiles m = org.sparktrain.driver.predict.ModelFiles.read(ver.dir().toString(),
        fs.getConf());
    if (!m.sha256().equals(ver.sha256("model.zip"))) {
      throw new VerificationException(new Path(ver.dir(), "model.zip").toString(), "changed while it was read (SHA-256 "
          + m.sha256().substring(0, 16) + "..., manifest " + ver.sha256("model.zip").substring(0, 16) + "...)");
    }
    return m;
  }

  /** The detached signature file of {@code content}: algorithm, key id, Base64 signature. */
  private byte[] signature(byte[] content) throws IOException {
    Map<String, Object> sig = new LinkedHashMap<>();
    sig.put("algorithm", "Ed25519");
    sig.put("key_id", signing.verifyKeyId());
    sig.put("signature", signing.sign(content));
    return JSON.writeValueAsBytes(sig);
  }

  /**
   * Writes {@code content} to {@code file} with a detached signature next to it ({@code file.sig})
   * when a signing key is loaded; refuses to replace {@code file}.
   *
   * @return false when {@code file} existed (another writer was first)
   */
  public boolean writeSigned(Path file, byte[] content) {
    try {
      if (signing.canSign()) {
        try (OutputStream o = fs.create(new Path(file.getParent(), file.getName() + ".sig"), true)) {
          o.write(signature(content));
        }
      }
      return ExclusiveFiles.create(fs, file, content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + Secrets.redact(file.toString()) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a file {@link #writeSigned} wrote, checking its signature as the registry's
   * {@code registry.verify} says; null when it does not exist.
   */
  public byte[] readSigned(Path file) {
    byte[] content = readOrNull(file);
    if (content == null) {
      return null;
    }
    byte[] exact = stripToken(content);
    checkSignature(new Path(file.getParent(), file.getName() + ".sig"), exact);
    return exact;
  }

  /** The content {@link ExclusiveFiles#create} was given (object stores append a writer token line). */
  private byte[] stripToken(byte[] content) {
    String scheme = fs.getUri().getScheme();
    if ("file".equals(scheme) || "hdfs".equals(scheme) || "viewfs".equals(scheme)) {
      return content;
    }
    int nl = content.length - 1;
    while (nl >= 0 && content[nl] != '\n') {
      nl--;
    }
    return nl < 0 ? content : java.util.Arrays.copyOf(content, nl);
  }

  /** Reads one file of a verified version; null when the version does not hold it. */
  public byte[] read(Verified v, String file) {
    return v.manifest().files().containsKey(file) ? readOrNull(new Path(v.dir(), file)) : null;
  }

  /**
   * Deletes versions that no alias points to (now or in any generation still referenced as the
   * current value) and that are not among the newest {@code keep} complete versions; incomplete
   * versions older than an hour go too.
   *
   * @return the versions deleted (or that would be, with {@code dryRun})
   */
  public List<Integer> gc(String model, int keep, boolean dryRun) {
    if (keep < 1) {
      throw new ConfigException("--keep", keep + " is out of range; allowed: >= 1");
    }
    java.util.Set<Integer> aliased = new java.util.HashSet<>();
    aliases(model).values().forEach(a -> aliased.add(a.version()));
    List<VersionInfo> all = versions(model);
    List<Integer> complete = all.stream().filter(VersionInfo::complete).map(VersionInfo::version).toList();
    java.util.Set<Integer> newest = new java.util.HashSet<>(complete.subList(Math.max(0, complete.size() - keep),
        complete.size()));
    List<Integer> gone = new ArrayList<>();
    long hourAgo = System.currentTimeMillis() - 3_600_000L;
    for (VersionInfo i : all) {
      boolean drop = i.complete() ? !aliased.contains(i.version()) && !newest.contains(i.version())
          : i.modifiedMillis() < hourAgo;
      if (drop) {
        gone.add(i.version());
        if (!dryRun) {
          try {
            // the manifest first: a version half deleted is incomplete, never a tampered complete one
            fs.delete(new Path(versionDir(model, i.version()), MANIFEST), false);
            fs.delete(versionDir(model, i.version()), true);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot delete version " + i.version() + " of " + model + ": "
                + e.getMessage(), e);
          }
        }
      }
    }
    return gone;
  }

  private List<FileStatus> list(Path dir) {
    try {
      return List.of(fs.listStatus(dir));
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + Secrets.redact(dir.toString()) + ": " + e.getMessage(), e);
    }
  }

  byte[] readOrNull(Path p) {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    } catch (FileNotFoundException e) {
      return null;
    } catch (org.apache.hadoop.fs.ChecksumException e) {
      throw new VerificationException(Secrets.redact(p.toString()), "fails the store's checksum: the file was changed "
          + "or corrupted after it was registered");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + Secrets.redact(p.toString()) + ": " + e.getMessage(), e);
    }
  }
}
