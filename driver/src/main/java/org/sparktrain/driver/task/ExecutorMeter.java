package org.sparktrain.driver.task;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.sparktrain.kernels.train.ReplicaUpdate;

/**
 * What this executor JVM's replicas did, summed over every round they trained: read by the
 * monitoring plugin's executor side ({@code org.sparktrain.driver.monitor.MonitorPlugin}), which
 * turns the differences between two samples into per-step figures. Lock-free; a round adds to it
 * once, after it trained.
 */
public final class ExecutorMeter {
  private static final AtomicLong STEPS = new AtomicLong();
  private static final AtomicLong EXAMPLES = new AtomicLong();
  private static final AtomicLong COMPUTE_NANOS = new AtomicLong();
  private static final AtomicLong DATA_NANOS = new AtomicLong();
  private static final AtomicLong ROUNDS = new AtomicLong();
  private static final AtomicReference<String> DEVICE = new AtomicReference<>("");

  private ExecutorMeter() {}

  /** Adds one trained round. */
  public static void record(ReplicaUpdate u, String device) {
    STEPS.addAndGet(u.batches());
    EXAMPLES.addAndGet(u.examples());
    COMPUTE_NANOS.addAndGet(Math.round(u.computeSeconds() * 1e9));
    DATA_NANOS.addAndGet(Math.round(u.dataSeconds() * 1e9));
    ROUNDS.incrementAndGet();
    if (device != null) {
      DEVICE.set(device);
    }
  }

  /** The totals so far. */
  public static Totals totals() {
    return new Totals(ROUNDS.get(), STEPS.get(), EXAMPLES.get(), COMPUTE_NANOS.get() / 1e9, DATA_NANOS.get() / 1e9,
        DEVICE.get());
  }

  /**
   * Totals since the JVM started.
   *
   * @param device the device the last replica trained on ({@code cpu}, {@code gpu:0}), empty before any round
   */
  public record Totals(long rounds, long steps, long examples, double computeSeconds, double dataSeconds,
                       String device) {}
}
