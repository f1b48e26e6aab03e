package org.sparktrain.driver.task;

import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/** The messages of streamed rounds between a long-running task and the driver ({@link RoundWire} encodes them). */
public final class RoundMessages {
  private RoundMessages() {}

  /** A task's first message: which round to train (the current one, also after a retry). */
  public record Hello(String stream, int partition) {}

  /** A task's result for the round posted as {@code seq}. */
  public record Done(String stream, long seq, ReplicaUpdate update) {}

  /** Waiting for the round after {@code seq}. */
  public record Await(String stream, long seq) {}

  /**
   * A round to train, numbered by post ({@code seq}: a rolled-back round is posted again under the
   * same round number); {@code plan == null} ends the stream.
   */
  public static final class Next {
    public static final Next STOP = new Next(Long.MAX_VALUE, null, null);

    private final long seq;
    private final ModelState state;
    private final RoundPlan plan;
    private byte[] encoded;

    public Next(long seq, ModelState state, RoundPlan plan) {
      this.seq = seq;
      this.state = state;
      this.plan = plan;
    }

    public long seq() {
      return seq;
    }

    public ModelState state() {
      return state;
    }

    public RoundPlan plan() {
      return plan;
    }

    public boolean stop() {
      return plan == null;
    }

    /** This round in bytes, encoded on first use. */
    public synchronized byte[] encoded() {
      if (encoded == null) {
        encoded = RoundWire.encode(this);
      }
      return encoded;
    }
  }
}
