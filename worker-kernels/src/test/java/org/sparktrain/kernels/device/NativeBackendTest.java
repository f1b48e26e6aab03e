package org.sparktrain.kernels.device;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NativeBackendTest {
  private static final String AVX2 = "processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2 fma\n";
  private static final String OLD = "processor\t: 0\nflags\t\t: fpu sse sse2 avx\n";

  @Test
  void anAvx2BuildRefusesACpuWithoutAvx2NamingTheFixAndAcceptsOneWithIt() {
    assertDoesNotThrow(() -> NativeBackend.requireCpuFlag("avx2", AVX2, "linux-x86_64-onednn-avx2"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NativeBackend.requireCpuFlag("avx2", OLD, "linux-x86_64-onednn-avx2"));
    assertEquals("this sparktrain jar carries ND4J's linux-x86_64-onednn-avx2 natives, but this CPU (/proc/cpuinfo) "
        + "has no AVX2: build a jar for it with mvn package -Dnd4j.classifier=linux-x86_64 "
        + "-Dnd4j.platform.extension=", e.getMessage());
    // a flag that is only a prefix of another ("avx" in "avx2") does not count
    assertThrows(IllegalStateException.class, () -> NativeBackend.requireCpuFlag("avx5", AVX2, "x"));
  }

  @Test
  void selectLeavesAUsersChoiceAlone() {
    String before = System.getProperty(NativeBackend.EXTENSION_PROPERTY);
    try {
      System.setProperty(NativeBackend.EXTENSION_PROPERTY, "-custom");
      NativeBackend.select();
      assertEquals("-custom", System.getProperty(NativeBackend.EXTENSION_PROPERTY));
    } finally {
      if (before == null) {
        System.clearProperty(NativeBackend.EXTENSION_PROPERTY);
      } else {
        System.setProperty(NativeBackend.EXTENSION_PROPERTY, before);
      }
    }
  }
}
