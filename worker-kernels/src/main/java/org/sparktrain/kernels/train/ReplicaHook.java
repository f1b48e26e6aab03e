package org.sparktrain.kernels.train;

import java.util.List;
import java.util.ServiceLoader;

/**
 * A seam for tests that inject faults into replicas (a task failing mid-round, a replica turning
 * NaN, a hung task). Implementations are found with {@link ServiceLoader}: production jars ship
 * none, so a replica's step never pays for it; a test module registers one in its
 * {@code META-INF/services}.
 */
public interface ReplicaHook {
  /** Called after the first minibatch of {@code round} on {@code partition}'s replica; may throw or block. */
  default void afterFirstStep(int round, int partition) {}

  /** Whether the replica's parameters turn NaN at the end of {@code round} (a diverging replica). */
  default boolean poisons(int round, int partition) {
    return false;
  }

  /** The hooks on the class path (empty in production). */
  static List<ReplicaHook> installed() {
    return Installed.HOOKS;
  }

  /** Loaded once per JVM. */
  final class Installed {
    private static final List<ReplicaHook> HOOKS = ServiceLoader.load(ReplicaHook.class).stream()
        .map(ServiceLoader.Provider::get).toList();

    private Installed() {}
  }
}
