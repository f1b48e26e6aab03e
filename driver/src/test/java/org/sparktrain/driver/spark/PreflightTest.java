package org.sparktrain.driver.spark;

import org.sparktrain.driver.config.Choices;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.SparkTestBase;
import org.sparktrain.driver.config.ConfigException;

/** Preflight checks: the settings that break training on clusters are refused with the setting named. */
class PreflightTest extends SparkTestBase {
  @Test
  void speculationIsRefused() {
    SparkConf conf = SparkSettings.withDefaults(new SparkConf(false)).set("spark.speculation", "true");
    ConfigException e = assertThrows(ConfigException.class, () -> Preflight.checkConf(conf));
    assertEquals("spark.speculation", e.key());
    assertTrue(e.getMessage().contains("averaged twice"), e.getMessage());
    assertDoesNotThrow(() -> Preflight.checkConf(SparkSettings.withDefaults(new SparkConf(false))));
  }

  @Test
  void unloadableKryoRegistratorIsNamed() {
    SparkConf conf = SparkSettings.withDefaults(new SparkConf(false))
        .set("spark.kryo.registrator", "com.example.MissingRegistrator");
    PreflightException e = assertThrows(PreflightException.class, () -> Preflight.checkConf(conf));
    assertTrue(e.getMessage().contains("com.example.MissingRegistrator"), e.getMessage());
  }

  @Test
  void thisJvmHasTheModuleFlags() {
    assertTrue(Preflight.javaBaseOpensNio(), "surefire runs with conf/jvm.options");
  }

  @Test
  void executorsReportBackendAndMemory() {
    List<ExecutorReport> reports = Preflight.checkExecutors(sc, Choices.Device.AUTO, 1 << 20, 2);
    assertEquals(1, reports.size(), "local mode: one executor (the driver)");
    ExecutorReport r = reports.get(0);
    assertEquals("CpuBackend", r.backend());
    assertNull(r.backendError());
    assertTrue(r.heapBytes() > 0 && r.moduleFlags());
  }

  @Test
  void gpuDeviceOnCpuBackendIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> Preflight.checkExecutors(sc, Choices.Device.GPU, 1 << 20, 2));
    assertEquals("device", e.key());
    assertTrue(e.getMessage().contains("CpuBackend") && e.getMessage().contains("-Pcuda"), e.getMessage());
  }

  @Test
  void modelTooLargeForOffHeapLimitIsRefused() {
    PreflightException e = assertThrows(PreflightException.class,
        () -> Preflight.checkExecutors(sc, Choices.Device.AUTO, Long.MAX_VALUE / 4, 2));
    assertTrue(e.getMessage().contains("spark.executor.memory") && e.getMessage().contains("maxbytes"),
        e.getMessage());
  }
}
