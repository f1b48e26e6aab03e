package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * The Spark plugin that carries streamed rounds ({@code averaging.transport: stream}): a
 * long-running task per partition trains round after round, handing each result to the driver and
 * fetching the next round's start through Spark's plugin RPC ({@link PluginContext#ask}) instead
 * of one Spark job per round. The driver side is a set of {@link Mailbox}es, one per running
 * stream; the executor side only remembers its {@link PluginContext}.
 *
 * <p>Messages travel as bytes ({@link RoundWire}): Spark's RPC layer deserialises with a class
 * loader that cannot see the application jar. {@link DriverPlugin#receive} must answer at once
 * (the plugin endpoint handles one message at a time), so a task polls for the next round with a
 * short backoff ({@link #poll}). Spark's own barrier {@code allGather} is no alternative: its tasks
 * wait in 1-second sleeps (0.8 s per sync measured here).
 *
 * <p>Enabled by {@code spark.plugins=org.sparktrain.driver.train.RoundService}, which
 * {@link org.sparktrain.driver.spark.SparkSettings#withDefaults} adds.
 */
public final class RoundService implements SparkPlugin {
  private static volatile PluginContext executorContext;
  private static volatile boolean driverUp;
  private static final Map<String, Mailbox> MAILBOXES = new ConcurrentHashMap<>();

  @Override
  public DriverPlugin driverPlugin() {
    return new DriverPlugin() {
      @Override
      public Map<String, String> init(SparkContext sc, PluginContext ctx) {
        driverUp = true;
        return Map.of();
      }

      @Override
      public Object receive(Object message) {
        if (!(message instanceof byte[] bytes)) {
          throw new IllegalArgumentException("sparktrain's plugin takes encoded messages, got "
              + (message == null ? "null" : message.getClass().getName()));
        }
        return encodeReply(handle(RoundWire.decode(bytes)));
      }

      @Override
      public void shutdown() {
        driverUp = false;
        MAILBOXES.values().forEach(Mailbox::stop);
        MAILBOXES.clear();
      }
    };
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {
        executorContext = ctx;
      }

      @Override
      public void shutdown() {
        executorContext = null;
      }
    };
  }

  /** Whether this driver JVM runs the plugin (it was in {@code spark.plugins} when the context started). */
  static boolean driverRunning() {
    return driverUp;
  }

  /** This executor's plugin context; fails with advice when the plugin is not loaded. */
  static PluginContext executor() {
    PluginContext ctx = executorContext;
    if (ctx == null) {
      throw new IllegalStateException("streamed rounds need the sparktrain plugin on every executor: set "
          + "spark.plugins=" + RoundService.class.getName() + " (sparktrain's launcher does) and ship the sparktrain "
          + "jar with the application, or set averaging.transport: jobs");
    }
    return ctx;
  }

  static Mailbox open(String stream, Set<Integer> expected) {
    Mailbox m = new Mailbox(expected);
    if (MAILBOXES.putIfAbsent(stream, m) != null) {
      throw new IllegalStateException("stream " + stream + " is already open");
    }
    return m;
  }

  static void close(String stream) {
    Mailbox m = MAILBOXES.remove(stream);
    if (m != null) {
      m.stop();
    }
  }

  /**
   * Sends {@code message} to the driver and returns its answer. A task that runs in the driver's
   * JVM (local mode) hands the objects over directly, as Spark's RPC does with messages to a local
   * endpoint; elsewhere both travel encoded ({@link RoundWire}).
   */
  static Object ask(PluginContext ctx, Object message) throws Exception {
    if (!alwaysEncode && driverUp && MAILBOXES.containsKey(streamOf(message))) {
      return handle(message);
    }
    Object reply = ctx.ask(RoundWire.encode(message));
    return reply == null ? null : RoundWire.decode((byte[]) reply);
  }

  /** Tests: encode every message even where the driver runs in the same JVM. */
  static volatile boolean alwaysEncode;

  private static String streamOf(Object message) {
    if (message instanceof Hello h) {
      return h.stream();
    }
    if (message instanceof Done d) {
      return d.stream();
    }
    if (message instanceof Await a) {
      return a.stream();
    }
    return "";
  }

  /** A reply in bytes; a posted round is encoded once, however many tasks fetch it. */
  private static byte[] encodeReply(Object reply) {
    if (reply == null) {
      return null;
    }
    if (reply instanceof Next n) {
      return n.encoded();
    }
    return RoundWire.encode(reply);
  }

  /** The driver side of a message; a closed or unknown stream answers "stop". */
  static Object handle(Object message) {
    if (message instanceof Hello h) {
      Mailbox m = MAILBOXES.get(h.stream());
      return m == null ? Next.STOP : m.current(); // null (ask again) before the first post
    }
    if (message instanceof Done d) {
      Mailbox m = MAILBOXES.get(d.stream());
      if (m != null) {
        m.done(d.seq(), d.update());
      }
      return Boolean.TRUE;
    }
    if (message instanceof Await a) {
      Mailbox m = MAILBOXES.get(a.stream());
      if (m == null) {
        return Next.STOP;
      }
      Next n = m.current();
      return n != null && n.seq() > a.seq() ? n : null;
    }
    throw new IllegalArgumentException("unknown message " + (message == null ? "null" : message.getClass()));
  }

  /**
   * Asks the driver until it answers (a non-null reply), parking 20 us at first, then twice as long
   * each time up to {@code maxParkNanos} between asks, and up to {@link #LONG_WAIT_PARK_NANOS} once
   * it has waited a second (a long round elsewhere, or a lost task waiting for a new executor:
   * the driver is not asked thousands of times a second meanwhile). A cancelled task (interrupted
   * by Spark) stops waiting.
   */
  static Next poll(PluginContext ctx, Object message, long maxParkNanos) {
    long park = Math.min(20_000, maxParkNanos);
    long since = System.nanoTime();
    long cap = maxParkNanos;
    while (true) {
      Object r;
      try {
        r = ask(ctx, message);
      } catch (Exception e) {
        throw new IllegalStateException("the driver did not answer " + message + ": " + e.getMessage(), e);
      }
      if (r != null) {
        return (Next) r;
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new IllegalStateException("task cancelled while waiting for the next round");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(park);
      if (cap < LONG_WAIT_PARK_NANOS && System.nanoTime() - since > 1_000_000_000L) {
        cap = LONG_WAIT_PARK_NANOS;
      }
      park = Math.min(park * 2, cap);
    }
  }

  /** The longest park between asks once a task has waited a second. */
  static final long LONG_WAIT_PARK_NANOS = 20_000_000L;

  /**
   * How long a task waiting for the next round parks at most between asks: 50 us per waiting task
   * (all of them ask the same single-threaded endpoint), between 100 us and 2 ms. A round's
   * averaging takes the driver 1-3 ms for a 235,000-parameter model, so a task learns of the next
   * round within a few percent of a round's time.
   */
  static long maxPark(int tasks) {
    return Math.max(100_000L, Math.min(2_000_000L, 50_000L * tasks));
  }

  /** A task's first message: which round to train (the current one, also after a retry). */
  record Hello(String stream, int partition) {}

  /** A task's result for the round posted as {@code seq}. */
  record Done(String stream, long seq, ReplicaUpdate update) {}

  /** Waiting for the round after {@code seq}. */
  record Await(String stream, long seq) {}

  /**
   * A round to train, numbered by post ({@code seq}: a rolled-back round is posted again under the
   * same round number); {@code plan == null} ends the stream.
   */
  static final class Next {
    static final Next STOP = new Next(Long.MAX_VALUE, null, null);

    private final long seq;
    private final ModelState state;
    private final RoundPlan plan;
    private byte[] encoded;

    Next(long seq, ModelState state, RoundPlan plan) {
      this.seq = seq;
      this.state = state;
      this.plan = plan;
    }

    long seq() {
      return seq;
    }

    ModelState state() {
      return state;
    }

    RoundPlan plan() {
      return plan;
    }

    boolean stop() {
      return plan == null;
    }

    /** This round in bytes, encoded on first use. */
    synchronized byte[] encoded() {
      if (encoded == null) {
        encoded = RoundWire.encode(this);
      }
      return encoded;
    }
  }


  /**
   * One stream's rendezvous on the driver: the round currently posted and the results that have
   * arrived for it. Results for an older post (a task that finished a round the driver has since
   * rolled back, or a retried task's duplicate) are dropped; per partition the first result counts
   * (a retry trains the same batches from the same start, so both are equal).
   */
  static final class Mailbox {
    private final Set<Integer> expected;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition complete = lock.newCondition();
    private final Map<Integer, ReplicaUpdate> updates = new TreeMap<>();
    /** The round posted last; null before the first post. */
    private volatile Next current;
    private long seq;

    Mailbox(Set<Integer> expected) {
      this.expected = Set.copyOf(expected);
    }

    Next current() {
      return current;
    }

    /** Posts the next round; returns its sequence number. */
    long post(ModelState state, RoundPlan plan) {
      lock.lock();
      try {
        updates.clear();
        current = new Next(++seq, state, plan);
        return seq;
      } finally {
        lock.unlock();
      }
    }

    void stop() {
      lock.lock();
      try {
        updates.clear();
        current = new Next(++seq, null, null);
        complete.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void done(long s, ReplicaUpdate u) {
      lock.lock();
      try {
        if (current == null || s != current.seq() || current.stop() || !expected.contains(u.partition())) {
          return;
        }
        updates.putIfAbsent(u.partition(), u);
        if (updates.size() == expected.size()) {
          complete.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }

    /**
     * The results of post {@code s} in partition order once every expected partition has
     * answered, or null when {@code timeoutNanos} passed first.
     */
    List<ReplicaUpdate> take(long s, long timeoutNanos) throws InterruptedException {
      lock.lockInterruptibly();
      try {
        long left = timeoutNanos;
        while (current != null && current.seq() == s && updates.size() < expected.size()) {
          if (left <= 0) {
            return null;
          }
          left = complete.awaitNanos(left);
        }
        if (current == null || current.seq() != s) {
          throw new IllegalStateException("round post " + s + " was replaced before it completed");
        }
        return new ArrayList<>(updates.values());
      } finally {
        lock.unlock();
      }
    }

    /** Partitions that have not answered the current post yet. */
    List<Integer> missing() {
      lock.lock();
      try {
        List<Integer> out = new ArrayList<>();
        for (int p : new java.util.TreeSet<>(expected)) {
          if (!updates.containsKey(p)) {
            out.add(p);
          }
        }
        return out;
      } finally {
        lock.unlock();
      }
    }
  }
}
