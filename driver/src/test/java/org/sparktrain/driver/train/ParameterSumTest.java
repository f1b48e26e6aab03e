package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.sparktrain.kernels.train.ReplicaUpdate;

/** Example-weighted averaging arithmetic, including replicas that trained nothing. */
class ParameterSumTest {
  private static ReplicaUpdate update(int partition, long examples, float[] params, float[] updater) {
    return new ReplicaUpdate(partition, params, updater, examples, (int) Math.min(1, examples), examples * 0.5,
        0.1, 0.01, 0.001, 0, "test", "cpu");
  }

  @Test
  void weightsByExamples() {
    ParameterSum a = new ParameterSum().add(update(0, 3, new float[] {1, 10}, new float[] {2}));
    ParameterSum b = new ParameterSum().add(update(1, 1, new float[] {5, 2}, new float[] {6}));
    ParameterSum sum = a.merge(b);
    assertEquals(4, sum.examples());
    assertArrayEquals(new float[] {2f, 8f}, sum.averageParams(), 1e-6f);
    assertArrayEquals(new float[] {3f}, sum.averageUpdater(), 1e-6f);
    assertEquals(0.5, sum.meanLoss(), 1e-12);
  }

  @Test
  void emptyReplicasDoNotSkew() {
    ParameterSum sum = new ParameterSum()
        .add(update(0, 0, new float[] {100, 100}, null))
        .add(update(1, 2, new float[] {1, 3}, null))
        .merge(new ParameterSum().add(update(2, 0, new float[] {-7, -7}, null)));
    assertEquals(2, sum.examples());
    assertArrayEquals(new float[] {1f, 3f}, sum.averageParams(), 0f);
    assertNull(sum.averageUpdater());
    assertEquals(3, sum.workers().size(), "empty replicas still report their stats");
    assertEquals(0, sum.workers().get(0).partition());
  }

  @Test
  void spreadIsRmsDistanceFromAverage() {
    float[] start = {0, 0};
    ParameterSum sum = new ParameterSum()
        .add(new ReplicaUpdate(0, new float[] {1, 0}, null, 1, 1, 0, 0, 0, 0, 1.0, "a", "cpu"))
        .add(new ReplicaUpdate(1, new float[] {-1, 0}, null, 1, 1, 0, 0, 0, 0, 1.0, "b", "cpu"));
    float[] avg = sum.averageParams();
    assertArrayEquals(new float[] {0, 0}, avg, 0f);
    assertEquals(1.0, sum.replicaSpread(start, avg), 1e-12);
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    ParameterSum sum = new ParameterSum().add(update(4, 2, new float[] {1.5f, -2f}, new float[] {3f}));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sum);
    }
    ParameterSum back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (ParameterSum) in.readObject();
    }
    assertEquals(2, back.examples());
    assertArrayEquals(new float[] {1.5f, -2f}, back.averageParams(), 1e-6f);
    assertEquals(4, back.workers().get(0).partition());
  }
}
