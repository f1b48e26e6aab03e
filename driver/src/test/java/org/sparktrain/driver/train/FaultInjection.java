package org.sparktrain.driver.train;

import java.util.Map;
import org.sparktrain.kernels.train.ReplicaHook;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test seam for fault-tolerance behaviour. A test arms one fault for one (round, partition); it
 * fires once, in the JVM it was armed in (local mode):
 * <ul>
 *   <li>{@link #failOnce}: the replica throws after training its first minibatch of the round, as a
 *       task killed mid-partition would;</li>
 *   <li>{@link #poisonOnce}: the replica's parameters turn NaN at the end of the round, as a
 *       diverging replica's would;</li>
 *   <li>{@link #hangOnce}: the replica stops responding (sleeps) after its first minibatch, as a
 *       task stuck on a dead disk or a deadlocked library would.</li>
 * </ul>
 * Inactive unless armed. Installed into replicas as a {@link ReplicaHook} (this module's test
 * {@code META-INF/services}): production code holds no fault state.
 */
public final class FaultInjection implements ReplicaHook {
  private enum Kind { FAIL, POISON, HANG }

  private static final Map<String, Kind> ARMED = new ConcurrentHashMap<>();
  private static final Map<String, Kind> FIRED = new ConcurrentHashMap<>();
  private static volatile long hangMillis;
  private static final Map<Integer, Long> SLOW = new ConcurrentHashMap<>();

  /** Instantiated by {@link java.util.ServiceLoader}; the armed faults are shared. */
  public FaultInjection() {}

  @Override
  public void afterFirstStep(int round, int partition) {
    Long slow = SLOW.get(partition);
    if (slow != null) {
      try {
        Thread.sleep(slow);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    check(round, partition);
  }

  /** Make {@code partition}'s replica {@code millis} slower in every round until {@link #clear()}: a straggler. */
  public static void slowAlways(int partition, long millis) {
    SLOW.put(partition, millis);
  }

  @Override
  public boolean poisons(int round, int partition) {
    return fire(round, partition, Kind.POISON);
  }

  /** Fail the first attempt of {@code partition} in {@code round}. */
  public static void failOnce(int round, int partition) {
    ARMED.put(round + "/" + partition, Kind.FAIL);
  }

  /** Turn the parameters of {@code partition}'s replica NaN at the end of {@code round}, once. */
  public static void poisonOnce(int round, int partition) {
    ARMED.put(round + "/" + partition, Kind.POISON);
  }

  /** Make {@code partition}'s task sleep {@code millis} in {@code round}, once (interruptible). */
  public static void hangOnce(int round, int partition, long millis) {
    hangMillis = millis;
    ARMED.put(round + "/" + partition, Kind.HANG);
  }

  /** Disarms everything. */
  public static void clear() {
    ARMED.clear();
    FIRED.clear();
    SLOW.clear();
  }

  /** How many injected faults fired since the last {@link #clear()}. */
  public static int fired() {
    return FIRED.size();
  }

  private static boolean fire(int round, int partition, Kind kind) {
    if (ARMED.isEmpty()) {
      return false;
    }
    String key = round + "/" + partition;
    return ARMED.remove(key, kind) && FIRED.put(key, kind) == null;
  }

  static void check(int round, int partition) {
    if (fire(round, partition, Kind.FAIL)) {
      throw new IllegalStateException("injected failure in round " + round + ", partition " + partition);
    }
    if (fire(round, partition, Kind.HANG)) {
      try {
        Thread.sleep(hangMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("injected hang in round " + round + ", partition " + partition
            + " interrupted", e);
      }
    }
  }
}
