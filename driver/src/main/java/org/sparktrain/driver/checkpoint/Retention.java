package org.sparktrain.driver.checkpoint;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which checkpoints to delete once a new one is published and verified: other runs' checkpoints
 * (superseded by this run, e.g. an earlier run replaced with --overwrite), and this run's beyond
 * the newest {@code keepLast}, except every {@code keepEvery}-th. The checkpoint just written is
 * never deleted, and neither is anything newer than it.
 */
final class Retention {
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  private Retention() {}

  static void apply(CheckpointStore store, String runId, String newest, int keepLast, int keepEvery)
      throws IOException {
    List<CheckpointStore.Entry> all = store.list();
    int newestRound = all.stream().filter(e -> e.name().equals(newest)).mapToInt(CheckpointStore.Entry::round)
        .findFirst().orElseThrow(() -> new IOException("checkpoint " + newest + " vanished after writing"));
    int ours = 0;
    for (CheckpointStore.Entry e : all) {
      if (e.round() > newestRound || e.name().equals(newest)) {
        if (e.name().equals(newest)) {
          ours++;
        }
        continue;
      }
      CheckpointStore.ManifestInfo m = store.manifest(e.name());
      boolean sameRun = m != null && m.runId().equals(runId);
      if (sameRun) {
        ours++;
        if (ours <= keepLast || (keepEvery > 0 && m.sequence() % keepEvery == 0)) {
          continue;
        }
      }
      store.delete(e.name());
      LOG.info("checkpoint {} deleted ({})", e.name(), sameRun ? "retention: keep last " + keepLast
          + (keepEvery > 0 ? " and every " + keepEvery + "th" : "") : "from another run, superseded");
    }
  }
}
