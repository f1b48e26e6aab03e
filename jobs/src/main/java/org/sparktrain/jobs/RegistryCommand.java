package org.sparktrain.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.output.Secrets;
import org.sparktrain.driver.registry.ModelRegistry;
import org.sparktrain.driver.registry.Signing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sparktrain registry ...}: inspect and change a model registry. */
@Command(name = "registry", mixinStandardHelpOptions = true,
    description = "Model registry: list, show, promote, rollback, diff, gc, keygen.",
    subcommands = {RegistryCommand.ListVersions.class, RegistryCommand.Show.class, RegistryCommand.Promote.class,
        RegistryCommand.Rollback.class, RegistryCommand.Diff.class, RegistryCommand.Gc.class,
        RegistryCommand.Keygen.class})
final class RegistryCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where the registry is and how it is verified: from flags, else a config's registry.*, else the environment. */
  static final class Where {
    @Option(names = "--registry", paramLabel = "URI", description = "Registry root (default: registry.uri of --config, "
        + "or $SPARKTRAIN_REGISTRY).")
    String uri;

    @Option(names = "--config", paramLabel = "FILE", description = "Take registry.* from this config.")
    String config;

    @Option(names = "--verify-key", paramLabel = "PEM", description = "Ed25519 public key (default: registry.verify_key "
        + "or $SPARKTRAIN_VERIFY_KEY).")
    String verifyKey;

    @Option(names = "--signing-key", paramLabel = "PEM", description = "Ed25519 private key (default: "
        + "registry.signing_key or $SPARKTRAIN_SIGNING_KEY).")
    String signingKey;

    @Option(names = "--verify", paramLabel = "MODE", description = "require or warn (default: registry.verify, else "
        + "require).")
    String verify;

    ModelRegistry open(PrintStream out) {
      TrainConfig.Registry r = config == null ? null : TrainCommand.loadConfig(config, List.of()).registry();
      String u = uri != null ? uri : r != null && r.uri() != null ? r.uri() : System.getenv("SPARKTRAIN_REGISTRY");
      if (u == null) {
        throw new ConfigException("--registry", "is required (or --config with registry.uri, or $SPARKTRAIN_REGISTRY)");
      }
      String mode = verify != null ? verify : r != null ? r.verify() : "require";
      return RegistryCommand.open(u, signingKey != null ? signingKey : r == null ? null : r.signingKey(),
          verifyKey != null ? verifyKey : r == null ? null : r.verifyKey(), mode, new Configuration(), out);
    }
  }

  /**
   * The registry at {@code uri} as the CLI opens it: keys loaded (environment variables win),
   * {@code mode} ({@code --verify}: require or warn) checked, warnings printed to {@code warnings}.
   */
  static ModelRegistry open(String uri, String signingKey, String verifyKey, String mode, Configuration hadoop,
                            PrintStream warnings) {
    if (!mode.equals("require") && !mode.equals("warn")) {
      throw new ConfigException("--verify", "'" + mode + "' is not allowed; allowed: require, warn");
    }
    return ModelRegistry.open(uri, hadoop, Signing.load(signingKey, verifyKey, hadoop), mode.equals("warn")
        ? ModelRegistry.Verify.WARN : ModelRegistry.Verify.REQUIRE, m -> warnings.println("warning: "
        + Secrets.redact(m)));
  }

  static String by(String what) {
    return "registry " + what + " (" + System.getProperty("user.name", "?") + ")";
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "The models, or one model's versions.")
  static final class ListVersions implements Callable<Integer> {
    @Mixin
    Where where;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "A model (default: list the models).")
    String name;

    @Override
    public Integer call() {
      PrintStream out = System.out;
      ModelRegistry reg = where.open(out);
      if (name == null) {
        for (String m : reg.models()) {
          ModelRegistry.Alias c = reg.alias(m, "champion");
          out.printf(Locale.ROOT, "%-24s %3d versions  champion %s%n", m, reg.versions(m).size(),
              c == null ? "-" : String.valueOf(c.version()));
        }
        return ExitCodes.OK;
      }
      Map<Integer, List<String>> aliases = new TreeMap<>();
      reg.aliases(name).forEach((a, v) -> aliases.computeIfAbsent(v.version(), k -> new ArrayList<>()).add(a));
      out.printf(Locale.ROOT, "%-7s %-24s %-10s %-9s %-9s %s%n", "version", "created", "date", "gate", "accuracy",
          "aliases");
      for (ModelRegistry.VersionInfo v : reg.versions(name)) {
        if (!v.complete()) {
          out.printf(Locale.ROOT, "%-7d %-24s (incomplete: its writer did not finish)%n", v.version(), "");
          continue;
        }
        JsonNode gate = gate(reg, name, v.version());
        out.printf(Locale.ROOT, "%-7d %-24s %-10s %-9s %-9s %s%n", v.version(), v.manifest().created(),
            gate == null ? "-" : gate.path("date").asText("-"),
            gate == null ? "-" : gate.path("passed").asBoolean() ? "passed" : "rejected",
            gate == null || !gate.path("challenger_metrics").has("accuracy") ? "-"
                : String.format(Locale.ROOT, "%.4f", gate.path("challenger_metrics").path("accuracy").asDouble()),
            String.join(",", aliases.getOrDefault(v.version(), List.of())));
      }
      return ExitCodes.OK;
    }
  }

  /** The version's gate.json, unverified (for listings; loading a model always verifies). */
  static JsonNode gate(ModelRegistry reg, String name, int v) {
    try (java.io.InputStream in = reg.fileSystem().open(new org.apache.hadoop.fs.Path(reg.versionDir(name, v),
        "gate.json"))) {
      return JSON.readTree(in);
    } catch (IOException e) {
      return null;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "A model's aliases with why each moved and "
      + "its nightly ledger, or one version: verified manifest, gate decision, data checks.")
  static final class Show implements Callable<Integer> {
    @Mixin
    Where where;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "A number or an alias.")
    String version;

    @Override
    public Integer call() {
      PrintStream out = System.out;
      ModelRegistry reg = where.open(out);
      if (version == null) {
        out.println("model " + name + " in " + reg.uri());
        for (String a : reg.aliases(name).keySet()) {
          out.println("alias " + a + ":");
          for (ModelRegistry.Alias g : reg.aliasHistory(name, a)) {
            out.printf(Locale.ROOT, "  g%-3d -> %-4d %s  by %s: %s%n", g.generation(), g.version(), g.time(), g.by(),
                g.reason());
          }
        }
        out.println("ledger:");
        for (JsonNode e : reg.ledger(name)) {
          out.printf(Locale.ROOT, "  %s  %-17s version %-4s champion %s -> %s  %s%n", e.path("date").asText(),
              e.path("decision").asText(), e.hasNonNull("version") ? e.path("version").asText() : "-",
              e.hasNonNull("champion_before") ? e.path("champion_before").asText() : "-",
              e.hasNonNull("champion_after") ? e.path("champion_after").asText() : "-",
              e.path("reasons").isArray() && e.path("reasons").size() > 0 ? e.path("reasons").get(0).asText() : "");
        }
        return ExitCodes.OK;
      }
      int v = reg.resolve(name, version);
      ModelRegistry.Verified ver = reg.verify(name, v);
      out.println("version " + v + " of " + name + ": verified (" + ver.manifest().files().size() + " files, "
          + (ver.signed() ? "signature valid" : "UNSIGNED") + "), created " + ver.manifest().created() + " by "
          + ver.manifest().codeVersion() + (ver.manifest().parent() == null ? "" : ", parent " + ver.manifest().parent()));
      ver.manifest().files().forEach((f, d) -> out.printf(Locale.ROOT, "  %-34s %10d bytes  sha256 %s%n", f, d.bytes(),
          d.sha256()));
      byte[] gate = reg.read(ver, "gate.json");
      if (gate != null) {
        try {
          JsonNode g = JSON.readTree(gate);
          out.println("gate (" + g.path("date").asText() + ", against champion " + g.path("champion_version").asText("-")
              + "): " + (g.path("passed").asBoolean() ? "passed" : "rejected"));
          for (JsonNode c : g.path("checks")) {
            for (JsonNode r : c.path("reasons")) {
              out.println("  " + r.asText());
            }
          }
        } catch (IOException e) {
          out.println("gate.json: unreadable");
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true, description = "Point an alias (default champion) at a "
      + "verified version; moving champion also moves previous to the old champion.")
  static final class Promote implements Callable<Integer> {
    @Mixin
    Where where;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION", description = "A number or an alias.")
    String version;

    @Option(names = "--alias", defaultValue = "champion", description = "The alias to move (default ${DEFAULT-VALUE}).")
    String alias;

    @Option(names = "--reason", defaultValue = "promoted by hand", description = "Recorded with the move.")
    String reason;

    @Override
    public Integer call() {
      PrintStream out = System.out;
      ModelRegistry reg = where.open(out);
      int v = reg.resolve(name, version);
      reg.verify(name, v);
      ModelRegistry.Alias before = reg.alias(name, alias);
      if ("champion".equals(alias) && before != null && before.version() != v) {
        reg.move(name, "previous", before.version(), null, "replaced by version " + v + " (" + reason + ")",
            by("promote"));
      }
      reg.move(name, alias, v, before == null ? 0L : before.generation(), reason, by("promote"));
      out.println(alias + " of " + name + ": " + (before == null ? "-" : before.version()) + " -> " + v);
      return ExitCodes.OK;
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Move champion back to previous (and "
      + "previous to the version rolled back from).")
  static final class Rollback implements Callable<Integer> {
    @Mixin
    Where where;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--reason", defaultValue = "rolled back by hand", description = "Recorded with the move.")
    String reason;

    @Override
    public Integer call() {
      PrintStream out = System.out;
      ModelRegistry reg = where.open(out);
      ModelRegistry.Alias champ = reg.alias(name, "champion");
      ModelRegistry.Alias prev = reg.alias(name, "previous");
      if (champ == null || prev == null) {
        throw new ConfigException("registry rollback", name + " has " + (champ == null ? "no champion" : "no previous "
            + "version") + " to roll back " + (champ == null ? "" : "to"));
      }
      reg.verify(name, prev.version());
      reg.move(name, "champion", prev.version(), champ.generation(), reason + " (was version " + champ.version() + ")",
          by("rollback"));
      reg.move(name, "previous", champ.version(), prev.generation(), "rolled back from", by("rollback"));
      out.println("champion of " + name + ": " + champ.version() + " -> " + prev.version() + " (previous: "
          + champ.version() + ")");
      return ExitCodes.OK;
    }
  }

  @Command(name = "diff", mixinStandardHelpOptions = true, description = "Two versions side by side: holdout "
      + "metrics, config keys that differ, training data.")
  static final class Diff implements Callable<Integer> {
    @Mixin
    Where where;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "A")
    String a;

    @Parameters(index = "2", paramLabel = "B")
    String b;

    @Override
    public Integer call() throws IOException {
      PrintStream out = System.out;
      ModelRegistry reg = where.open(out);
      int va = reg.resolve(name, a);
      int vb = reg.resolve(name, b);
      ModelRegistry.Verified ra = reg.verify(name, va);
      ModelRegistry.Verified rb = reg.verify(name, vb);
      out.printf(Locale.ROOT, "%-28s %14s %14s %10s%n", "holdout metric", "version " + va, "version " + vb, "B - A");
      JsonNode ga = JSON.readTree(orEmpty(reg.read(ra, "gate.json")));
      JsonNode gb = JSON.readTree(orEmpty(reg.read(rb, "gate.json")));
      TreeSet<String> metrics = new TreeSet<>();
      ga.path("challenger_metrics").fieldNames().forEachRemaining(metrics::add);
      gb.path("challenger_metrics").fieldNames().forEachRemaining(metrics::add);
      for (String m : metrics) {
        JsonNode x = ga.path("challenger_metrics").path(m);
        JsonNode y = gb.path("challenger_metrics").path(m);
        out.printf(Locale.ROOT, "%-28s %14s %14s %10s%n", m, num(x), num(y), x.isNumber() && y.isNumber()
            ? String.format(Locale.ROOT, "%+.4f", y.asDouble() - x.asDouble()) : "");
      }
      out.println("holdout: " + (ga.path("holdout").path("sha256").asText().equals(gb.path("holdout").path("sha256")
          .asText()) ? "the same rows (" + ga.path("holdout").path("sha256").asText("-") + ")"
          : "DIFFERENT rows: the metrics are not comparable"));
      Map<String, String> ca = flat(reg.read(ra, "config.yaml"));
      Map<String, String> cb = flat(reg.read(rb, "config.yaml"));
      TreeSet<String> keys = new TreeSet<>(ca.keySet());
      keys.addAll(cb.keySet());
      out.println("config keys that differ:");
      int n = 0;
      for (String k : keys) {
        if (!java.util.Objects.equals(ca.get(k), cb.get(k)) && !k.startsWith("output.")) {
          out.printf(Locale.ROOT, "  %-36s %s -> %s%n", k, ca.get(k), cb.get(k));
          n++;
        }
      }
      if (n == 0) {
        out.println("  (none)");
      }
      out.println("training data: " + ga.path("date").asText("-") + " " + ga.path("data_fingerprint").asText("-")
          .substring(0, Math.min(16, ga.path("data_fingerprint").asText("-").length())) + " -> " + gb.path("date")
          .asText("-") + " " + gb.path("data_fingerprint").asText("-").substring(0, Math.min(16,
          gb.path("data_fingerprint").asText("-").length())));
      return ExitCodes.OK;
    }

    private static byte[] orEmpty(byte[] b) {
      return b == null ? "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8) : b;
    }

    private static String num(JsonNode n) {
      return n.isNumber() ? String.format(Locale.ROOT, "%.4f", n.asDouble()) : "-";
    }

    private static Map<String, String> flat(byte[] yaml) throws IOException {
      Map<String, String> out = new LinkedHashMap<>();
      if (yaml != null) {
        flatten(ConfigLoader.yaml().readTree(yaml), "", out);
      }
      return out;
    }

    private static void flatten(JsonNode n, String prefix, Map<String, String> out) {
      if (n.isObject()) {
        n.fields().forEachRemaining(e -> flatten(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
            out));
      } else {
        out.put(prefix, n.toString());
      }
    }
  }

  @Command(name = "gc", mixinStandardHelpOptions = true, description = "Delete versions no alias points to, keeping "
      + "the newest N (and incomplete versions older than an hour go).")
  static final class Gc implements Callable<Integer> {
    @Mixin
    Where where;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--keep", paramLabel = "N", description = "Complete versions kept besides the aliased ones "
        + "(default: registry.keep of --config, else 10).")
    Integer keep;

    @Option(names = "--dry-run", description = "Say what would go; delete nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      PrintStream out = System.out;
      ModelRegistry reg = where.open(out);
      int k = keep != null ? keep : where.config != null
          ? TrainCommand.loadConfig(where.config, List.of()).registry().keep() : 10;
      List<Integer> gone = reg.gc(name, k, dryRun);
      out.println((dryRun ? "would delete" : "deleted") + " versions " + gone + " of " + name + " (kept aliased "
          + reg.aliases(name).keySet() + " and the newest " + k + ")");
      return ExitCodes.OK;
    }
  }

  @Command(name = "keygen", mixinStandardHelpOptions = true, description = "Write an Ed25519 key pair: "
      + "sparktrain-signing.pem (private, owner-only) and sparktrain-verify.pem.")
  static final class Keygen implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the two files.")
    String dir;

    @Override
    public Integer call() {
      String id = Signing.generate(dir, new Configuration());
      System.out.println("wrote " + dir + "/sparktrain-signing.pem (keep it secret: registry.signing_key or "
          + Signing.SIGNING_KEY_ENV + ") and " + dir + "/sparktrain-verify.pem (registry.verify_key); key id " + id);
      return ExitCodes.OK;
    }
  }
}
