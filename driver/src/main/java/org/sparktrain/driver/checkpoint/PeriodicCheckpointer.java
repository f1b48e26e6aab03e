package org.sparktrain.driver.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.train.Checkpointer;
import org.sparktrain.driver.train.TrainingState;

/**
 * Writes a checkpoint every N rounds and/or T minutes and after the last round, then applies the
 * retention policy. A failed write is logged and counted and training goes on: losing one
 * checkpoint costs at most one interval of work, losing the run costs all of it.
 */
public final class PeriodicCheckpointer implements Checkpointer {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicCheckpointer.class);

  private final CheckpointStore store;
  private final CheckpointPolicy policy;
  private final String configYaml;
  private final Supplier<String> provenance;
  private final Map<String, String> data;
  private int sequence;
  private int roundsSince;
  private long lastNanos = System.nanoTime();
  private final List<String> written = new ArrayList<>();
  private int failures;
  private double seconds;

  /**
   * @param lastSequence sequence number of the checkpoint a resumed run started from (0 when fresh)
   * @param configYaml the run's resolved config, stored with every checkpoint
   * @param provenance the run's provenance JSON
   * @param data training-data fingerprint, stored with every checkpoint
   */
  public PeriodicCheckpointer(CheckpointStore store, CheckpointPolicy policy, int lastSequence, String configYaml,
                              Supplier<String> provenance, Map<String, String> data) {
    this.store = store;
    this.policy = policy;
    this.sequence = lastSequence;
    this.configYaml = configYaml;
    this.provenance = provenance;
    this.data = Map.copyOf(data);
  }

  @Override
  public void afterRound(Supplier<TrainingState> state, boolean last) {
    roundsSince++;
    boolean byRounds = policy.everyRounds() > 0 && roundsSince >= policy.everyRounds();
    boolean byTime = policy.everyMinutes() > 0 && (System.nanoTime() - lastNanos) / 60e9 >= policy.everyMinutes();
    if (!(byRounds || byTime || (last && policy.enabled()))) {
      return;
    }
    long t0 = System.nanoTime();
    TrainingState s = state.get();
    try {
      String name = store.write(s, sequence + 1, configYaml, provenance.get(), data);
      sequence++;
      written.add(name);
      LOG.info("checkpoint {} written to {} (round {}, epoch {}, step {})", name, store.dir(), s.round(),
          s.epoch() + 1, s.step());
      Retention.apply(store, s.runId(), name, policy.keepLast(), policy.keepEvery());
    } catch (IOException | RuntimeException e) {
      failures++;
      LOG.error("checkpoint after round {} could not be written to {}: {}; training continues, the previous "
          + "checkpoint stays the newest", s.round(), store.dir(), e.getMessage());
    }
    roundsSince = 0;
    lastNanos = System.nanoTime();
    seconds += (lastNanos - t0) / 1e9;
  }

  /** Folder names written by this run, in order. */
  public List<String> written() {
    return List.copyOf(written);
  }

  /** Writes that failed. */
  public int failures() {
    return failures;
  }

  /** Time spent writing, verifying and pruning. */
  public double seconds() {
    return seconds;
  }
}
