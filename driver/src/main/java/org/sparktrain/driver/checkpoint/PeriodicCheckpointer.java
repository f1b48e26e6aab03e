package org.sparktrain.driver.checkpoint;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.train.Checkpointer;
import org.sparktrain.driver.train.TrainingState;

/**
 * Writes a checkpoint every N rounds and/or T minutes and after the last round, then applies the
 * retention policy. Writes run on a background thread, one at a time, while training continues; the
 * last one is waited for. A failed write is logged and counted and training goes on: losing one
 * checkpoint costs at most one interval of work, losing the run costs all of it.
 */
public final class PeriodicCheckpointer implements Checkpointer {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicCheckpointer.class);

  private final CheckpointStore store;
  private final CheckpointPolicy policy;
  private final String configYaml;
  private final String provenance;
  private final Map<String, String> data;
  private int sequence;
  private int roundsSince;
  private long lastNanos = System.nanoTime();
  private final List<String> written = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong writeNanos = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor(
      r -> {
        Thread t = new Thread(r, "sparktrain-checkpoint-writer");
        t.setDaemon(true);
        return t;
      });
  private java.util.concurrent.Future<?> inFlight;
  private volatile WriteObserver observer = (ok, seconds) -> { };

  /** Told on the writer thread when a checkpoint write ends. */
  @FunctionalInterface
  public interface WriteObserver {
    /** The write succeeded ({@code ok}) or failed after {@code seconds}. */
    void written(boolean ok, double seconds);
  }

  /** Tells {@code o} about every write from now on (monitoring: checkpoint age and duration). */
  public void observe(WriteObserver o) {
    observer = o;
  }

  /**
   * @param lastSequence sequence number of the checkpoint a resumed run started from (0 when fresh)
   * @param configYaml the run's resolved config, stored with every checkpoint
   * @param provenance the run's provenance JSON, stored with every checkpoint
   * @param data training-data fingerprint, stored with every checkpoint
   */
  public PeriodicCheckpointer(CheckpointStore store, CheckpointPolicy policy, int lastSequence, String configYaml,
                              String provenance, Map<String, String> data) {
    this.store = store;
    this.policy = policy;
    this.sequence = lastSequence;
    this.configYaml = configYaml;
    this.provenance = provenance;
    this.data = Map.copyOf(data);
  }

  @Override
  public void afterInconsistentRound() {
    roundsSince++;
  }

  @Override
  public boolean dueAfter(int roundsAhead) {
    return due(roundsSince + roundsAhead);
  }

  private boolean due(int rounds) {
    boolean byRounds = policy.everyRounds() > 0 && rounds >= policy.everyRounds();
    boolean byTime = policy.everyMinutes() > 0 && (System.nanoTime() - lastNanos) / 60e9 >= policy.everyMinutes();
    return byRounds || byTime;
  }

  @Override
  public boolean afterRound(Supplier<TrainingState> state, boolean last) {
    roundsSince++;
    if (!(due(roundsSince) || (last && policy.enabled()))) {
      return false;
    }
    // The state's arrays are never modified after the round that made them (each round averages
    // into new arrays), so the writer thread can serialise them while training goes on.
    TrainingState s = state.get();
    awaitInFlight(); // at most one write in flight: a slow store slows training instead of piling up
    int seq = ++sequence;
    inFlight = writer.submit(() -> write(s, seq));
    if (last) {
      awaitInFlight();
    }
    roundsSince = 0;
    lastNanos = System.nanoTime();
    return true;
  }

  private void write(TrainingState s, int seq) {
    long t0 = System.nanoTime();
    boolean ok = false;
    try {
      String name = store.write(s, seq, configYaml, provenance, data);
      written.add(name);
      LOG.info("checkpoint {} written to {} (round {}, epoch {}, step {})", name, store.dir(), s.round(),
          s.epoch() + 1, s.step());
      Retention.apply(store, s.runId(), name, policy.keepLast(), policy.keepEvery());
      ok = true;
    } catch (IOException | RuntimeException e) {
      failures.incrementAndGet();
      LOG.error("checkpoint after round {} could not be written to {}: {}; training continues, the previous "
          + "checkpoint stays the newest", s.round(), store.dir(), e.getMessage());
    } finally {
      long took = System.nanoTime() - t0;
      writeNanos.addAndGet(took);
      observer.written(ok, took / 1e9);
    }
  }

  private void awaitInFlight() {
    if (inFlight == null) {
      return;
    }
    try {
      inFlight.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.error("checkpoint writer failed", e.getCause());
    }
    inFlight = null;
  }

  /** Waits for a write in flight (a crash or the end of training) and stops the writer thread. */
  @Override
  public void close() {
    awaitInFlight();
    writer.shutdown();
  }

  /** Folder names written by this run, in order. */
  public List<String> written() {
    return List.copyOf(written);
  }

  /** Writes that failed. */
  public int failures() {
    return failures.get();
  }

  /** Time the writer thread spent writing, verifying and pruning. */
  public double writeSeconds() {
    return writeNanos.get() / 1e9;
  }
}
