package org.sparktrain.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Bulk copies in and out of ND4J arrays agree with ND4J's element-wise view of the same data. */
class FloatArraysTest {
  @Test
  void createFlatAndAssignRoundTrip() {
    float[] v = new float[6 * 7];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5f - 3;
    }
    INDArray a = FloatArrays.create(v, 6, 7);
    assertArrayEquals(new long[] {6, 7}, a.shape());
    assertEquals(v[3 * 7 + 2], a.getFloat(3, 2));
    assertArrayEquals(v, FloatArrays.flat(a));
    float[] w = v.clone();
    w[5] = 42;
    FloatArrays.assign(a, w);
    assertEquals(42f, a.getFloat(0, 5));
    assertArrayEquals(w, a.reshape(a.length()).toFloatVector());
  }

  @Test
  void viewsAndOtherOrdersFallBackToElementWiseCopies() {
    INDArray m = Nd4j.arange(12).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(3, 4);
    INDArray row = m.getRow(1);
    assertArrayEquals(new float[] {4, 5, 6, 7}, FloatArrays.flat(row));
    FloatArrays.assign(row, new float[] {-1, -2, -3, -4});
    assertEquals(-3f, m.getFloat(1, 2));
    assertEquals(0f, m.getFloat(0, 0));
    assertEquals(8f, m.getFloat(2, 0), "the rows around the view are untouched");
    INDArray f = m.dup('f');
    assertArrayEquals(FloatArrays.flat(m), FloatArrays.flat(f), "logical (c) order whatever the storage order");
  }

  @Test
  void refusesALengthMismatch() {
    INDArray a = FloatArrays.create(new float[4], 2, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FloatArrays.assign(a, new float[3]));
    assertEquals("3 values for an array of 4", e.getMessage());
  }
}
