package org.sparktrain.kernels.device;

import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the calling thread to the GPU Spark assigned to its task, before any ND4J allocation, via
 * ND4J's affinity manager. On the CPU backend this is a logged no-op that still reports the
 * address, so scheduling can be tested without GPUs.
 */
public final class DeviceBinder {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceBinder.class);
  private static final AtomicBoolean NOTED = new AtomicBoolean();

  private DeviceBinder() {}

  /** True when ND4J runs on its CUDA backend. */
  public static boolean gpuBackend() {
    return Nd4j.getBackend().getClass().getName().toLowerCase().contains("cuda");
  }

  /** Name of the ND4J backend class, e.g. CpuBackend. */
  public static String backendName() {
    return Nd4j.getBackend().getClass().getSimpleName();
  }

  /**
   * Binds to {@code addresses[0]} and describes the result, e.g. {@code "gpu 1"} or
   * {@code "cpu (gpu 1 assigned, CPU backend: not bound)"}.
   *
   * @param addresses the task's GPU addresses from Spark, or null/empty when none
   */
  public static String bind(String[] addresses) {
    if (addresses == null || addresses.length == 0) {
      return "cpu";
    }
    String address = addresses[0];
    if (gpuBackend()) {
      int device;
      try {
        device = Integer.parseInt(address.trim());
      } catch (NumberFormatException e) {
        throw new IllegalStateException("GPU address '" + address + "' from Spark's resource discovery is not a "
            + "device index; the discovery script must print indices as nvidia-smi does", e);
      }
      Nd4j.getAffinityManager().unsafeSetDevice(device);
      return "gpu " + device;
    }
    if (NOTED.compareAndSet(false, true)) {
      LOG.info("task was assigned GPU {} but ND4J runs on {}: not binding (CPU training)", address, backendName());
    }
    return "cpu (gpu " + address + " assigned, " + backendName() + ": not bound)";
  }
}
