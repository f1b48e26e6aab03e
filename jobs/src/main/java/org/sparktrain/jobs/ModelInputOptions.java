package org.sparktrain.jobs;

import picocli.CommandLine.Option;

/** What {@code predict} and {@code evaluate} share: the model, the rows, and where they run. */
final class ModelInputOptions {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "A train output directory (or its model.zip).")
  String model;

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
}
