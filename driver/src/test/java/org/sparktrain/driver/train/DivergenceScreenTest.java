package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.kernels.train.ReplicaUpdate;

/** Which replicas the divergence guard leaves out of an average, and why. */
class DivergenceScreenTest {
  private static ReplicaUpdate update(int partition, double loss, float... params) {
    return ReplicaUpdate.builder().partition(partition).params(params).examples(10).batches(1).lossSum(loss * 10)
        .worker("w").device("cpu").build();
  }

  @Test
  void lossFarAboveTheOthersIsLeftOut() {
    ParameterSum sum = DivergenceGuard.screenAndSum(List.of(update(0, 0.5f, 1), update(1, 0.6f, 2),
        update(2, 0.55f, 3), update(3, 30, 100)), 20);
    assertEquals(List.of(3), List.copyOf(sum.excluded().keySet()));
    assertTrue(sum.excluded().get(3).startsWith("loss 30.00 is over 20 x the median 0.5500"), sum.excluded().get(3));
    assertArrayEquals(new float[] {2}, sum.averageParams(), 1e-6f);
    assertEquals("loss 30.00 is over 20 x the median 0.5500 of the other replicas",
        sum.workers().get(3).excluded());
  }

  @Test
  void nonFiniteParametersOrLossAreLeftOutEvenWithTheLossCheckOff() {
    ParameterSum sum = DivergenceGuard.screenAndSum(List.of(update(0, 0.5, 1, 1),
        update(1, 0.5, 1, Float.NaN), update(2, Double.POSITIVE_INFINITY, 3, 3), update(3, 0.5, 3, 5)), 0);
    assertEquals("parameter 1 is NaN", sum.excluded().get(1));
    assertEquals("loss is Infinity", sum.excluded().get(2));
    assertEquals(2, sum.excluded().size());
    assertArrayEquals(new float[] {2, 3}, sum.averageParams(), 1e-6f);
  }

  @Test
  void similarLossesAndSingleReplicasPass() {
    assertTrue(DivergenceGuard.screenAndSum(List.of(update(0, 0.2, 1), update(1, 2.0, 1)), 20)
        .excluded().isEmpty(), "10x apart is within a 20x ratio");
    assertTrue(DivergenceGuard.screenAndSum(List.of(update(0, 1e6, 1)), 20).excluded().isEmpty(),
        "one replica has no others to compare with");
  }

  @Test
  void treeAggregatePathScreensAgainstThePreviousRoundsMedian() throws Exception {
    ParameterSum.Add add = new ParameterSum.Add(20 * 0.5, "20 x the previous round's median 0.5000");
    ParameterSum sum = add.call(add.call(add.call(new ParameterSum(), update(0, 0.6, 1)), update(1, 11, 50)),
        update(2, Double.NaN, 7));
    assertEquals("loss 11.00 is over 20 x the previous round's median 0.5000", sum.excluded().get(1));
    assertEquals("loss is NaN", sum.excluded().get(2));
    assertArrayEquals(new float[] {1}, sum.averageParams(), 0f);
    assertEquals(0.55, DivergenceGuard.medianLoss(List.of(
        new WorkerStats(0, "w", "cpu", 10, 1, 0.5, 0, 0, 0, 0), new WorkerStats(1, "w", "cpu", 10, 1, 0.6, 0, 0, 0, 0),
        new WorkerStats(2, "w", "cpu", 10, 1, 99, 0, 0, 0, 0, 0, "excluded"))), 1e-12);
  }

  @Test
  void aPartitionReportedTwiceIsAnError() {
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> DivergenceGuard.screenAndSum(List.of(update(0, 0.5, 1), update(0, 0.5, 1)), 20));
    assertEquals("partition 0 returned two results in one round", e.getMessage());
  }

  @Test
  void exclusionsSurviveMergeAndSerialization() throws Exception {
    ParameterSum a = new ParameterSum().add(update(0, 0.5, Float.NaN));
    ParameterSum b = new ParameterSum().add(update(1, 0.5, 4));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
      o.writeObject(a);
    }
    ParameterSum back;
    try (java.io.ObjectInputStream i = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      back = (ParameterSum) i.readObject();
    }
    ParameterSum m = back.merge(b);
    assertEquals(List.of(0), List.copyOf(m.excluded().keySet()));
    assertArrayEquals(new float[] {4}, m.averageParams(), 0f);
  }
}
