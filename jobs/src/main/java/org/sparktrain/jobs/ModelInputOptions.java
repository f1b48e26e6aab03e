package org.sparktrain.jobs;

import picocli.CommandLine.Option;

/** What {@code predict} and {@code evaluate} share: the model, the rows, and where they run. */
final class ModelInputOptions {
  @Option(names = "--model", required = true, paramLabel = "DIR|NAME@REF", description = "A train output directory "
      + "(or its model.zip), or a registry version: NAME@champion, NAME@7 (with --registry; verified before use).")
  String model;

  @Option(names = "--registry", paramLabel = "URI", description = "The registry NAME@REF is read from (default: "
      + "$SPARKTRAIN_REGISTRY).")
  String registry;

  @Option(names = "--verify-key", paramLabel = "PEM", description = "Ed25519 public key registry versions are verified "
      + "with (default: $SPARKTRAIN_VERIFY_KEY).")
  String verifyKey;

  @Option(names = "--verify", defaultValue = "require", paramLabel = "MODE", description = "require (refuse unsigned "
      + "or tampered versions) or warn (default ${DEFAULT-VALUE}).")
  String verify;

  @Option(names = "--input", required = true, paramLabel = "PATH", description = "The rows: a path, or a table name "
      + "with --input-format table.")
  String input;

  @Option(names = "--input-format", paramLabel = "F", description = "parquet, csv, orc, json or table (default: the "
      + "model's data.format).")
  String inputFormat;

  @Option(names = "--overwrite", description = "Replace an existing output.")
  boolean overwrite;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: set by the launcher).")
  String master;

  /** True when {@code --model} names a registry version rather than a directory. */
  boolean fromRegistry() {
    int at = model.lastIndexOf('@');
    return at > 0 && !model.substring(at).contains("/");
  }

  /** The model: read from its directory, or resolved and verified in the registry. */
  org.sparktrain.driver.predict.ModelFiles load(org.apache.hadoop.conf.Configuration hadoop) {
    if (!fromRegistry()) {
      return org.sparktrain.driver.predict.ModelFiles.read(model, hadoop);
    }
    String uri = registry != null ? registry : System.getenv("SPARKTRAIN_REGISTRY");
    if (uri == null) {
      throw new org.sparktrain.driver.config.ConfigException("--registry", "is required for --model " + model
          + " (or set $SPARKTRAIN_REGISTRY)");
    }
    int at = model.lastIndexOf('@');
    String name = model.substring(0, at);
    org.sparktrain.driver.registry.ModelRegistry reg = RegistryCommand.open(uri, null, verifyKey, verify, hadoop,
        System.err);
    int v = reg.resolve(name, model.substring(at + 1));
    System.out.println("model " + model + ": version " + v + " of " + reg.uri());
    return reg.load(name, v);
  }
}
