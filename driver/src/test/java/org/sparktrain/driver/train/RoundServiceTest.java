package org.sparktrain.driver.train;

import org.sparktrain.driver.task.RoundClient;
import org.sparktrain.driver.task.RoundMessages;
import org.sparktrain.driver.task.RoundWire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/** The driver side of streamed rounds, without Spark: posts, results, stale and duplicate results, stop. */
class RoundServiceTest {
  private static final String ID = "test-stream";

  @AfterEach
  void close() {
    RoundService.close(ID);
  }

  private static RoundPlan plan(int round) {
    return new RoundPlan(round, 0, (round - 1) * 2, 2, 8, 1, true, 10);
  }

  private static ReplicaUpdate update(int partition, float value, long examples) {
    return ReplicaUpdate.builder().partition(partition).params(new float[] {value}).examples(examples).batches(1)
        .lossSum(examples).computeSeconds(0.1).worker("w").device("cpu").build();
  }

  @Test
  void aRoundCompletesWhenEveryPartitionWithDataAnswered() throws Exception {
    RoundService.Mailbox m = RoundService.open(ID, Set.of(0, 2));
    assertNull(RoundService.handle(new RoundMessages.Hello(ID, 0)), "nothing posted yet: ask again");
    assertNull(RoundService.handle(new RoundMessages.Await(ID, 0)));
    ModelState start = new ModelState(new float[] {0f}, null, 0, 0);
    long seq = m.post(start, plan(1));
    RoundMessages.Next first = (RoundMessages.Next) RoundService.handle(new RoundMessages.Hello(ID, 0));
    assertEquals(seq, first.seq());
    assertSame(start, first.state());
    assertNull(RoundService.handle(new RoundMessages.Await(ID, seq)), "no next round before the driver posts one");
    RoundService.handle(new RoundMessages.Done(ID, seq, update(2, 2f, 8)));
    assertNull(m.take(seq, 1_000_000L), "partition 0 has not answered: the wait times out");
    assertEquals(List.of(0), m.missing());
    RoundService.handle(new RoundMessages.Done(ID, seq, update(1, 9f, 8)));
    assertNull(m.take(seq, 1_000_000L), "partition 1 holds no data: its result does not count");
    RoundService.handle(new RoundMessages.Done(ID, seq, update(0, 1f, 8)));
    RoundService.handle(new RoundMessages.Done(ID, seq, update(0, 5f, 8)));
    List<ReplicaUpdate> got = m.take(seq, 1_000_000L);
    assertEquals(List.of(0, 2), got.stream().map(ReplicaUpdate::partition).toList(), "partition order");
    assertEquals(1f, got.get(0).params()[0], "the first result of a partition counts (a retry's equals it)");

    long next = m.post(start, plan(2));
    RoundMessages.Next n = (RoundMessages.Next) RoundService.handle(new RoundMessages.Await(ID, seq));
    assertEquals(next, n.seq());
    assertEquals(2, n.plan().round());
    RoundService.handle(new RoundMessages.Done(ID, seq, update(0, 7f, 8)));
    assertEquals(List.of(0, 2), m.missing(), "a result for an earlier post is dropped");
  }

  @Test
  void aRolledBackRoundIsPostedAgainUnderItsNumberAndTasksSeeTheNewPost() {
    RoundService.Mailbox m = RoundService.open(ID, Set.of(0));
    ModelState start = new ModelState(new float[] {0f}, null, 0, 0);
    long a = m.post(start, plan(4));
    long b = m.post(start, plan(4));
    RoundMessages.Next n = (RoundMessages.Next) RoundService.handle(new RoundMessages.Await(ID, a));
    assertEquals(b, n.seq());
    assertEquals(4, n.plan().round());
  }

  @Test
  void aClosedOrUnknownStreamTellsTasksToStop() {
    RoundService.open(ID, Set.of(0)).post(new ModelState(new float[] {0f}, null, 0, 0), plan(1));
    RoundService.close(ID);
    assertTrue(((RoundMessages.Next) RoundService.handle(new RoundMessages.Await(ID, 1))).stop());
    assertTrue(((RoundMessages.Next) RoundService.handle(new RoundMessages.Hello("never-opened", 0))).stop());
  }

  @Test
  void waitingForAReplacedPostFails() {
    RoundService.Mailbox m = RoundService.open(ID, Set.of(0));
    long a = m.post(new ModelState(new float[] {0f}, null, 0, 0), plan(1));
    m.stop();
    assertThrows(IllegalStateException.class, () -> m.take(a, 1_000_000L));
    assertThrows(IllegalStateException.class, () -> RoundService.open(ID, Set.of(0)), "one mailbox per stream id");
  }
}
