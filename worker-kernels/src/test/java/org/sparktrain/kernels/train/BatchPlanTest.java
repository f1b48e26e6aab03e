package org.sparktrain.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchPlanTest {
  @Test
  void everyExampleOnceEpoch() {
    BatchPlan plan = BatchPlan.of(1000, 64, 42, 3, 1, true);
    assertEquals(16, plan.batches());
    int[] seen = new int[1000];
    for (int s = 0; s < plan.batches(); s++) {
      for (int i : plan.batch(s)) {
        seen[i]++;
      }
    }
    assertEquals(1000, Arrays.stream(seen).filter(c -> c == 1).count());
    assertEquals(1000 - 15 * 64, plan.batch(15).length);
    assertEquals(0, plan.batch(16).length);
  }

  @Test
  void orderDependsOnlyOnSeedEpochPartition() {
    assertArrayEquals(BatchPlan.of(500, 10, 7, 2, 4, true).batch(3), BatchPlan.of(500, 10, 7, 2, 4, true).batch(3));
    assertFalse(Arrays.equals(BatchPlan.of(500, 10, 7, 2, 4, true).batch(0),
        BatchPlan.of(500, 10, 7, 3, 4, true).batch(0)));
    assertFalse(Arrays.equals(BatchPlan.of(500, 10, 7, 2, 4, true).batch(0),
        BatchPlan.of(500, 10, 7, 2, 5, true).batch(0)));
    assertFalse(Arrays.equals(BatchPlan.of(500, 10, 7, 2, 4, true).batch(0),
        BatchPlan.of(500, 10, 8, 2, 4, true).batch(0)));
  }

  @Test
  void unshuffledKeepsFileOrder() {
    assertArrayEquals(new int[] {10, 11, 12, 13, 14}, BatchPlan.of(23, 5, 1, 0, 0, false).batch(2));
    assertEquals(0, BatchPlan.of(0, 5, 1, 0, 0, true).batches());
  }

  @Test
  void rejectsZeroBatch() {
    assertThrows(IllegalArgumentException.class, () -> BatchPlan.of(10, 0, 1, 0, 0, true));
  }
}
