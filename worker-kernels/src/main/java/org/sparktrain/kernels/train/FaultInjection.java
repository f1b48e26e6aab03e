package org.sparktrain.kernels.train;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test seam for retry behaviour: makes the replica of one (round, partition) throw once, after it
 * has already trained its first minibatch of the round, as a task killed mid-partition would.
 * Inactive unless a test arms it; only affects the JVM it is armed in (local mode).
 */
public final class FaultInjection {
  private static volatile String armed;
  private static final Set<String> FIRED = ConcurrentHashMap.newKeySet();

  private FaultInjection() {}

  /** Fail the first attempt of {@code partition} in {@code round}. */
  public static void failOnce(int round, int partition) {
    FIRED.clear();
    armed = round + "/" + partition;
  }

  /** Disarms. */
  public static void clear() {
    armed = null;
    FIRED.clear();
  }

  /** How many injected failures fired since arming. */
  public static int fired() {
    return FIRED.size();
  }

  static void check(int round, int partition) {
    String a = armed;
    if (a != null && a.equals(round + "/" + partition) && FIRED.add(a)) {
      throw new IllegalStateException("injected failure in round " + round + ", partition " + partition);
    }
  }
}
