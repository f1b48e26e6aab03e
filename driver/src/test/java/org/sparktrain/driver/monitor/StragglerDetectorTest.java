package org.sparktrain.driver.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StragglerDetectorTest {
  private static StragglerDetector rounds(double factor, int rounds, double... seconds) {
    StragglerDetector d = new StragglerDetector(factor);
    for (int r = 0; r < rounds; r++) {
      for (int p = 0; p < seconds.length; p++) {
        d.replicaRound(p, "e" + p, seconds[p] * (1 + 0.01 * r));
      }
    }
    return d;
  }

  @Test
  void flagsTheReplicaSlowerThanTheOthersMedianByTheFactor() {
    StragglerDetector.Report r = rounds(1.5, 5, 1.0, 1.1, 0.9, 2.0).assess(null);
    assertEquals(List.of("replica 3", "executor e3"), r.stragglers());
    StragglerDetector.Assessment slow = r.replicas().get(3);
    assertEquals(2.0, slow.slowness(), 1e-9); // medians: 2.04 against median(1.02, 1.122, 0.918)
    assertEquals("e3", slow.where());
    assertFalse(r.replicas().get(0).straggler());
  }

  @Test
  void twoWorkersAreComparedWithEachOther() {
    StragglerDetector.Report r = rounds(1.5, 4, 1.0, 1.6).assess(null);
    assertEquals(1.6, r.replicas().get(1).slowness(), 1e-9);
    assertTrue(r.replicas().get(1).straggler());
    assertEquals(1 / 1.6, r.replicas().get(0).slowness(), 1e-9);
  }

  @Test
  void needsSamplesAndAFactorAboveTheSlownessAndCanBeOff() {
    assertTrue(rounds(1.5, StragglerDetector.MIN_SAMPLES - 1, 1, 1, 5).assess(null).stragglers().isEmpty());
    assertTrue(rounds(2.5, 5, 1, 1, 2).assess(null).stragglers().isEmpty());
    assertTrue(rounds(0, 5, 1, 1, 9).assess(null).stragglers().isEmpty());
    assertTrue(rounds(1.5, 5, 1).assess(null).stragglers().isEmpty(), "a single worker has nothing to compare with");
  }

  @Test
  void updatesTheGaugesAndReportsHealth() {
    LiveMetrics live = LiveMetrics.get();
    StragglerDetector.Report r = rounds(1.5, 3, 1, 1, 3).assess(live);
    assertEquals(2, live.stragglers); // the replica and its executor
    assertEquals(3.0, live.slowness.get("e2"), 1e-9);
    Map<String, Object> health = r.toMap(Map.of(), Map.of());
    assertEquals(List.of("replica 2", "executor e2"), health.get("stragglers"));
    assertEquals(3, ((List<?>) health.get("replicas")).size());
    live.slowness.clear();
    live.stragglers = 0;
  }

  @Test
  void medianOfEvenAndOddCounts() {
    assertEquals(2.5, StragglerDetector.median(new double[] {4, 1, 3, 2}));
    assertEquals(3, StragglerDetector.median(new double[] {5, 1, 3}));
    assertTrue(Double.isNaN(StragglerDetector.median(new double[0])));
  }
}
