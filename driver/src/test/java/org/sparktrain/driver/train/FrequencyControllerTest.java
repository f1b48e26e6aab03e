package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The adaptive k controller on synthetic timings. */
class FrequencyControllerTest {
  @Test
  void fixedNeverMoves() {
    FrequencyController c = FrequencyController.fixed(7);
    c.observe(7, 0.01, 5.0, 7, 1.0);
    c.observe(7, 0.01, 5.0, 7, 1.0);
    assertEquals(7, c.next());
  }

  @Test
  void picksSmallestKMeetingTheSyncTarget() {
    FrequencyController c = FrequencyController.auto(10, 1, 1000, 0.10, 1.0);
    // 5 ms per step, 20 ms of sync per round: sync <= 10% needs k >= 20 * 0.9 / (0.1 * 5) = 36
    for (int i = 0; i < 30; i++) {
      int k = c.next();
      c.observe(k, 0.005 * k, 0.020, k, 0.001);
    }
    assertEquals(36, c.next());
    double syncShare = 0.020 / (0.020 + 0.005 * c.next());
    assertTrue(syncShare <= 0.10, "sync share " + syncShare);
  }

  @Test
  void firstRoundIsIgnoredAsWarmUp() {
    FrequencyController c = FrequencyController.auto(10, 1, 1000, 0.10, 1.0);
    c.observe(10, 5.0, 10.0, 10, 0.001);
    assertEquals(10, c.next());
    assertTrue(Double.isNaN(c.stepSeconds()));
  }

  @Test
  void respectsBounds() {
    FrequencyController c = FrequencyController.auto(10, 4, 64, 0.10, 1.0);
    for (int i = 0; i < 30; i++) {
      c.observe(c.next(), 0.001 * c.next(), 1.0, c.next(), 0.0);
    }
    assertEquals(64, c.next(), "capped at max");
    FrequencyController fast = FrequencyController.auto(10, 4, 64, 0.10, 1.0);
    for (int i = 0; i < 30; i++) {
      fast.observe(fast.next(), 1.0 * fast.next(), 0.0001, fast.next(), 0.0);
    }
    assertEquals(4, fast.next(), "floored at min");
  }

  @Test
  void spreadAboveBoundHalvesTheCeilingThenRecovers() {
    FrequencyController c = FrequencyController.auto(40, 1, 64, 0.10, 0.05);
    for (int i = 0; i < 10; i++) {
      c.observe(c.next(), 0.005 * c.next(), 1.0, c.next(), 0.01);
    }
    assertEquals(64, c.next());
    c.observe(64, 0.32, 1.0, 64, 0.2);
    assertEquals(32, c.next(), "spread 0.2 > 0.05 halves k");
    assertEquals(1, c.spreadCuts());
    for (int i = 0; i < 10; i++) {
      c.observe(c.next(), 0.005 * c.next(), 1.0, c.next(), 0.01);
    }
    assertEquals(64, c.next(), "low spread lets the ceiling grow back");
  }

  @Test
  void rejectsBadBounds() {
    assertThrows(IllegalArgumentException.class, () -> FrequencyController.auto(10, 5, 4, 0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> FrequencyController.auto(10, 1, 4, 1.5, 1));
  }
}
