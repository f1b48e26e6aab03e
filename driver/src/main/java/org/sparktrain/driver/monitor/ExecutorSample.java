package org.sparktrain.driver.monitor;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What an executor's half of {@link MonitorPlugin} forwards to the driver every interval (Spark 3.5
 * gives executor plugin metrics no HTTP endpoint of their own). Step and data times are per
 * minibatch over the interval (an interval without steps repeats the last; NaN before the first).
 *
 * @param executorId Spark's executor id ({@code driver} in local mode)
 * @param host the executor's host
 * @param millis when it was taken (executor clock)
 * @param device the device its replicas last trained on ({@code cpu}, {@code gpu 0}), empty before any round
 * @param rounds replica rounds trained in this JVM so far
 * @param steps minibatches trained in this JVM so far
 * @param stepSeconds mean replica step time (DL4J fit) per minibatch over the interval
 * @param dataSeconds mean minibatch assembly time over the interval
 * @param nativeBytes off-heap bytes JavaCPP (ND4J's buffers) holds
 * @param physicalBytes the process's resident memory
 * @param maxPhysicalBytes JavaCPP's limit on it ({@code org.bytedeco.javacpp.maxPhysicalBytes}), 0 when unlimited
 * @param heapUsedBytes JVM heap in use
 * @param heapMaxBytes JVM heap limit
 * @param gcSeconds garbage-collection time since the JVM started
 * @param gcFraction share of the interval's wall time spent in garbage collection
 * @param monitorCpuSeconds CPU time this executor's sampler thread spent taking and sending samples so far
 */
public record ExecutorSample(
    @JsonProperty("executor_id") String executorId,
    @JsonProperty("host") String host,
    @JsonProperty("millis") long millis,
    @JsonProperty("device") String device,
    @JsonProperty("rounds") long rounds,
    @JsonProperty("steps") long steps,
    @JsonProperty("step_seconds") double stepSeconds,
    @JsonProperty("data_seconds") double dataSeconds,
    @JsonProperty("native_bytes") long nativeBytes,
    @JsonProperty("physical_bytes") long physicalBytes,
    @JsonProperty("max_physical_bytes") long maxPhysicalBytes,
    @JsonProperty("heap_used_bytes") long heapUsedBytes,
    @JsonProperty("heap_max_bytes") long heapMaxBytes,
    @JsonProperty("gc_seconds") double gcSeconds,
    @JsonProperty("gc_fraction") double gcFraction,
    @JsonProperty("monitor_cpu_seconds") double monitorCpuSeconds) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The message bytes (JSON: Spark's RPC layer needs no class of ours to carry them). */
  byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ExecutorSample decode(byte[] bytes) {
    try {
      return JSON.readValue(bytes, ExecutorSample.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("not an executor sample: " + e.getMessage(), e);
    }
  }
}
