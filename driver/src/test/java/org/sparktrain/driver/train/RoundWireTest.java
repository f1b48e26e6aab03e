package org.sparktrain.driver.train;

import org.sparktrain.driver.task.RoundClient;
import org.sparktrain.driver.task.RoundMessages;
import org.sparktrain.driver.task.RoundWire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/** Streamed rounds' messages survive their byte encoding field for field. */
class RoundWireTest {
  @Test
  void everyMessageRoundTrips() {
    RoundMessages.Hello h = (RoundMessages.Hello) RoundWire.decode(RoundWire.encode(new RoundMessages.Hello("s/é", 7)));
    assertEquals(new RoundMessages.Hello("s/é", 7), h);
    assertEquals(new RoundMessages.Await("s", 42L),
        RoundWire.decode(RoundWire.encode(new RoundMessages.Await("s", 42L))));

    ReplicaUpdate u = new ReplicaUpdate(3, new float[] {1.5f, Float.NaN, -0f}, null, 640, 10, 123.25, 0.03, 0.001,
        0.0002, 4.5, "executor 1 pid 9", "cpu", 2, "reset");
    RoundMessages.Done d = (RoundMessages.Done) RoundWire.decode(RoundWire.encode(new RoundMessages.Done("s", 5, u)));
    assertEquals("s", d.stream());
    assertEquals(5, d.seq());
    ReplicaUpdate v = d.update();
    assertArrayEquals(u.params(), v.params());
    assertNull(v.updaterState());
    assertEquals(java.util.List.of(u.partition(), u.examples(), u.batches(), u.lossSum(), u.computeSeconds(),
        u.dataSeconds(), u.loadSeconds(), u.deltaSquaredNorm(), u.worker(), u.device(), u.attempt(), u.start()),
        java.util.List.of(v.partition(), v.examples(), v.batches(), v.lossSum(), v.computeSeconds(), v.dataSeconds(),
            v.loadSeconds(), v.deltaSquaredNorm(), v.worker(), v.device(), v.attempt(), v.start()));

    ModelState st = new ModelState(new float[] {1, 2}, new float[] {3}, 17, 1, ModelState.Mode.CORRECT, 4, true,
        new int[] {0, 2}, 0.5f);
    RoundPlan p = new RoundPlan(6, 1, 20, 10, 64, 42L, true, 10, 5e-4);
    RoundMessages.Next n = (RoundMessages.Next) RoundWire.decode(new RoundMessages.Next(9, st, p).encoded());
    assertEquals(9, n.seq());
    assertEquals(p, n.plan());
    assertArrayEquals(st.params(), n.state().params());
    assertArrayEquals(st.updaterState(), n.state().updaterState());
    assertEquals(st.iteration(), n.state().iteration());
    assertEquals(st.epoch(), n.state().epoch());
    assertEquals(st.mode(), n.state().mode());
    assertEquals(st.baseRound(), n.state().baseRound());
    assertTrue(n.state().overlap());
    assertArrayEquals(st.resetPartitions(), n.state().resetPartitions());
    assertEquals(st.gain(), n.state().gain());

    assertTrue(((RoundMessages.Next) RoundWire.decode(RoundMessages.Next.STOP.encoded())).stop());
    assertEquals(Boolean.TRUE, RoundWire.decode(RoundWire.encode(Boolean.TRUE)), "the driver's receipt of a result");
  }

  @Test
  void foreignBytesAreRejectedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RoundWire.decode(new byte[] {9, 0, 0}));
    assertEquals("not a streamed-rounds message (tag 9, 3 bytes)", e.getMessage());
  }
}
