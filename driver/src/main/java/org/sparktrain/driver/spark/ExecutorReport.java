package org.sparktrain.driver.spark;

import java.io.Serializable;

/**
 * What one executor JVM reported in the preflight job.
 *
 * @param executorId Spark's executor id
 * @param pid process id of the executor JVM
 * @param backend ND4J backend class, or null when it failed to load
 * @param backendError why the backend failed to load, or null
 * @param moduleFlags whether java.base opens sun.nio.ch (Spark's Java 17 flags are present)
 * @param kryoRegistrator null when loadable, else the problem
 * @param heapBytes max heap of the executor JVM
 * @param offHeapBytes JavaCPP's off-heap limit (org.bytedeco.javacpp.maxbytes)
 * @param physicalBytes JavaCPP's physical-memory limit (maxphysicalbytes)
 * @param gpus GPU addresses assigned to the preflight task, or empty
 * @param devices what ND4J reports about its devices (names and memory on CUDA; cores and memory on CPU)
 */
public record ExecutorReport(String executorId, long pid, String backend, String backendError, boolean moduleFlags,
                             String kryoRegistrator, long heapBytes, long offHeapBytes, long physicalBytes,
                             String[] gpus, String devices) implements Serializable {}
