package org.sparktrain.kernels.train;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Keeps replicas alive in an executor JVM between rounds, keyed by (run id, partition), so a round
 * costs a parameter refresh instead of a network build. Replicas of other runs are dropped when a
 * new run starts in the same JVM.
 */
public final class ReplicaCache {
  private static final Map<String, Replica> REPLICAS = new ConcurrentHashMap<>();
  private static final AtomicLong BUILDS = new AtomicLong();
  private static volatile String currentRun = "";

  private ReplicaCache() {}

  /** The replica for (runId, partition), built with {@code factory} on first use in this JVM. */
  public static Replica get(String runId, int partition, Supplier<Replica> factory) {
    if (!runId.equals(currentRun)) {
      synchronized (ReplicaCache.class) {
        if (!runId.equals(currentRun)) {
          REPLICAS.keySet().removeIf(k -> !k.startsWith(runId + "/"));
          currentRun = runId;
        }
      }
    }
    return REPLICAS.computeIfAbsent(runId + "/" + partition, k -> {
      BUILDS.incrementAndGet();
      return factory.get();
    });
  }

  /** Drops every replica of {@code runId} held by this JVM. */
  public static void release(String runId) {
    REPLICAS.keySet().removeIf(k -> k.startsWith(runId + "/"));
  }

  /** Number of replicas built in this JVM since it started (for tests and telemetry). */
  public static long builds() {
    return BUILDS.get();
  }
}
