package org.sparktrain.driver.task;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.sparktrain.kernels.prune.PruningMask;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * The bytes streamed rounds send through Spark's plugin RPC. Spark's RPC layer deserialises
 * messages with Spark's own class loader, which cannot see the application jar's classes, so every
 * message travels as a {@code byte[]} this class writes and reads: fixed fields in order,
 * float vectors as one bulk copy each (little-endian), one allocation per message (sized from an
 * upper bound; the few unused bytes at its end are sent along rather than copied away).
 */
public final class RoundWire {
  private static final byte HELLO = 1;
  private static final byte DONE = 2;
  private static final byte AWAIT = 3;
  private static final byte NEXT = 4;
  private static final byte STOP = 5;
  private static final byte ACK = 6;

  private RoundWire() {}

  public static byte[] encode(Object message) {
    Writer w = new Writer(size(message));
    if (message instanceof RoundMessages.Hello h) {
      w.b(HELLO).s(h.stream()).i(h.partition());
    } else if (message instanceof RoundMessages.Await a) {
      w.b(AWAIT).s(a.stream()).l(a.seq());
    } else if (message instanceof RoundMessages.Done d) {
      ReplicaUpdate u = d.update();
      w.b(DONE).s(d.stream()).l(d.seq()).i(u.partition()).f(u.params()).f(u.updaterState()).l(u.examples())
          .i(u.batches()).d(u.lossSum()).d(u.computeSeconds()).d(u.dataSeconds()).d(u.loadSeconds())
          .d(u.deltaSquaredNorm()).s(u.worker()).s(u.device()).i(u.attempt()).s(u.start());
    } else if (message instanceof RoundMessages.Next n) {
      if (n.stop()) {
        w.b(STOP).l(n.seq());
      } else {
        ModelState st = n.state();
        RoundPlan p = n.plan();
        w.b(NEXT).l(n.seq()).f(st.params()).f(st.updaterState()).i(st.iteration()).i(st.epoch())
            .i(st.mode().ordinal()).i(st.baseRound()).b((byte) (st.overlap() ? 1 : 0)).ints(st.resetPartitions())
            .d(st.gain()).bytes(st.mask() == null ? null : st.mask().toBytes()).i(p.round()).i(p.epoch()).i(p.firstStep()).i(p.steps()).i(p.batchSize()).l(p.seed())
            .b((byte) (p.shuffle() ? 1 : 0)).i(p.numClasses()).d(p.learningRate());
      }
    } else if (Boolean.TRUE.equals(message)) {
      w.b(ACK);
    } else {
      throw new IllegalArgumentException("cannot encode " + (message == null ? "null" : message.getClass()));
    }
    return w.bytes();
  }

  public static Object decode(byte[] bytes) {
    Reader r = new Reader(bytes);
    byte tag = r.b();
    return switch (tag) {
      case HELLO -> new RoundMessages.Hello(r.s(), r.i());
      case AWAIT -> new RoundMessages.Await(r.s(), r.l());
      case DONE -> new RoundMessages.Done(r.s(), r.l(), new ReplicaUpdate(r.i(), r.f(), r.f(), r.l(), r.i(), r.d(),
          r.d(), r.d(), r.d(), r.d(), r.s(), r.s(), r.i(), r.s()));
      case STOP -> new RoundMessages.Next(r.l(), null, null);
      case ACK -> Boolean.TRUE;
      case NEXT -> {
        long seq = r.l();
        float[] params = r.f();
        float[] updater = r.f();
        int iteration = r.i();
        int epoch = r.i();
        ModelState.Mode mode = ModelState.Mode.values()[r.i()];
        int baseRound = r.i();
        boolean overlap = r.b() == 1;
        int[] resets = r.ints();
        float gain = (float) r.d();
        byte[] mask = r.bytes();
        ModelState st = new ModelState(params, updater, iteration, epoch, mode, baseRound, overlap, resets, gain,
            mask == null ? null : PruningMask.fromBytes(mask));
        RoundPlan p = new RoundPlan(r.i(), r.i(), r.i(), r.i(), r.i(), r.l(), r.b() == 1, r.i(), r.d());
        yield new RoundMessages.Next(seq, st, p);
      }
      default -> throw new IllegalArgumentException("not a streamed-rounds message (tag " + tag + ", "
          + bytes.length + " bytes)");
    };
  }

  /** An upper bound of the encoded size: the vectors plus generous room for the fixed fields. */
  private static int size(Object message) {
    long floats = 0;
    int strings = 0;
    if (message instanceof RoundMessages.Done d) {
      floats = length(d.update().params()) + length(d.update().updaterState());
      strings = utf8(d.stream()) + utf8(d.update().worker()) + utf8(d.update().device()) + utf8(d.update().start());
    } else if (message instanceof RoundMessages.Next n && !n.stop()) {
      floats = length(n.state().params()) + length(n.state().updaterState()) + n.state().resetPartitions().length
          + (n.state().mask() == null ? 0 : n.state().mask().length() / 32 + 8);
    } else if (message instanceof RoundMessages.Hello h) {
      strings = utf8(h.stream());
    } else if (message instanceof RoundMessages.Await a) {
      strings = utf8(a.stream());
    }
    long total = 4 * floats + strings + 256;
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("a round message of " + total + " bytes is too large for one RPC");
    }
    return (int) total;
  }

  private static long length(float[] a) {
    return a == null ? 0 : a.length;
  }

  private static int utf8(String s) {
    return s == null ? 0 : 3 * s.length() + 4;
  }

  private static final class Writer {
    private final ByteBuffer buf;

    Writer(int capacity) {
      buf = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    Writer b(byte v) {
      buf.put(v);
      return this;
    }

    Writer i(int v) {
      buf.putInt(v);
      return this;
    }

    Writer l(long v) {
      buf.putLong(v);
      return this;
    }

    Writer d(double v) {
      buf.putDouble(v);
      return this;
    }

    Writer s(String v) {
      if (v == null) {
        return i(-1);
      }
      byte[] b = v.getBytes(StandardCharsets.UTF_8);
      i(b.length);
      buf.put(b);
      return this;
    }

    Writer f(float[] a) {
      if (a == null) {
        return i(-1);
      }
      i(a.length);
      buf.asFloatBuffer().put(a);
      buf.position(buf.position() + 4 * a.length);
      return this;
    }

    Writer bytes(byte[] a) {
      if (a == null) {
        return i(-1);
      }
      i(a.length);
      buf.put(a);
      return this;
    }

    Writer ints(int[] a) {
      i(a.length);
      for (int v : a) {
        i(v);
      }
      return this;
    }

    /** The whole buffer: the reader stops after the last field, so the unused tail costs no copy. */
    byte[] bytes() {
      return buf.array();
    }
  }

  private static final class Reader {
    private final ByteBuffer buf;

    Reader(byte[] bytes) {
      buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    byte b() {
      return buf.get();
    }

    int i() {
      return buf.getInt();
    }

    long l() {
      return buf.getLong();
    }

    double d() {
      return buf.getDouble();
    }

    String s() {
      int n = i();
      if (n < 0) {
        return null;
      }
      String v = new String(buf.array(), buf.position(), n, StandardCharsets.UTF_8);
      buf.position(buf.position() + n);
      return v;
    }

    float[] f() {
      int n = i();
      if (n < 0) {
        return null;
      }
      float[] a = new float[n];
      buf.asFloatBuffer().get(a);
      buf.position(buf.position() + 4 * n);
      return a;
    }

    byte[] bytes() {
      int n = i();
      if (n < 0) {
        return null;
      }
      byte[] a = new byte[n];
      buf.get(a);
      return a;
    }

    int[] ints() {
      int[] a = new int[i()];
      for (int k = 0; k < a.length; k++) {
        a[k] = i();
      }
      return a;
    }
  }
}
