package org.sparktrain.driver.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftStatisticsTest {
  private static long[] histogram(double[] edges, Random r, double shift, int n) {
    long[] h = new long[DataProfile.BINS + 2];
    for (int i = 0; i < n; i++) {
      h[DataProfile.bin(edges, r.nextGaussian() + shift)]++;
    }
    return h;
  }

  @Test
  void psiAndKsSeparateNoiseFromAShift() {
    double[] edges = DataProfile.edges(-3, 3);
    Random r = new Random(7);
    long[] ref = histogram(edges, r, 0, 5000);
    long[] same = histogram(edges, r, 0, 5000);
    long[] shifted = histogram(edges, r, 1.0, 5000);
    assertTrue(DataChecks.psi(ref, same) < 0.01, "noise PSI " + DataChecks.psi(ref, same));
    assertTrue(DataChecks.ks(ref, same) < 0.03, "noise KS " + DataChecks.ks(ref, same));
    // a one-sigma shift: PSI ~ 1 (the textbook "significant" is > 0.25), KS ~ 0.38
    assertTrue(DataChecks.psi(ref, shifted) > 0.5, "shift PSI " + DataChecks.psi(ref, shifted));
    double ks = DataChecks.ks(ref, shifted);
    assertTrue(ks > 0.3 && ks < 0.45, "shift KS " + ks);
    assertEquals(0, DataChecks.psi(ref, ref), 1e-12);
  }

  @Test
  void binsCoverBelowInsideAboveAndConstants() {
    double[] e = DataProfile.edges(0, 1);
    assertEquals(0, DataProfile.bin(e, -0.1));
    assertEquals(1, DataProfile.bin(e, 0));
    assertEquals(DataProfile.BINS, DataProfile.bin(e, 1.0));
    assertEquals(DataProfile.BINS + 1, DataProfile.bin(e, 1.1));
    double[] constant = DataProfile.edges(0, 0);
    assertEquals(1, DataProfile.bin(constant, 0));
    assertEquals(DataProfile.BINS + 1, DataProfile.bin(constant, 0.5));
  }

  @Test
  void categoricalPsiSeesANewCategoryAndAShareChange() {
    Map<String, Long> before = Map.of("a", 500L, "b", 500L);
    assertTrue(DataChecks.categoricalPsi(before, Map.of("a", 510L, "b", 490L)) < 0.01);
    assertTrue(DataChecks.categoricalPsi(before, Map.of("a", 800L, "b", 200L)) > 0.25);
    assertTrue(DataChecks.categoricalPsi(before, Map.of("a", 400L, "b", 400L, "c", 200L)) > 0.25);
  }
}
