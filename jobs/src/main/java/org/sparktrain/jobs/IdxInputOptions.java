package org.sparktrain.jobs;

import picocli.CommandLine.Option;

/** An IDX images/labels pair as the export commands read it. */
final class IdxInputOptions {
  @Option(names = "--images", required = true, description = "IDX images file.")
  String images;

  @Option(names = "--labels", required = true, description = "IDX labels file.")
  String labels;

  @Option(names = "--limit", defaultValue = "0", description = "Only the first N examples (0 = all).")
  int limit;

  @Option(names = "--classes", defaultValue = "10", description = "Number of classes (default ${DEFAULT-VALUE}).")
  int classes;
}
