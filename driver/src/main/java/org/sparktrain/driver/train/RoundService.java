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
import org.sparktrain.driver.task.RoundClient;
import org.sparktrain.driver.task.RoundMessages;
import org.sparktrain.driver.task.RoundWire;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;
import org.sparktrain.kernels.train.RoundPlan;

/**
 * The Spark plugin that carries streamed rounds ({@code averaging.transport: stream}): a
 * long-running task per partition trains round after round, handing each result to the driver and
 * fetching the next round's start through Spark's plugin RPC ({@link PluginContext#ask}) instead
 * of one Spark job per round. The driver side is a set of {@link Mailbox}es, one per running
 * stream; the executor side ({@link RoundClient}, in the executor-side task package) only remembers
 * its {@link PluginContext}.
 *
 * <p>Messages travel as bytes ({@link RoundWire}): Spark's RPC layer deserialises with a class
 * loader that cannot see the application jar. {@link DriverPlugin#receive} must answer at once
 * (the plugin endpoint handles one message at a time), so a task polls for the next round with a
 * short backoff ({@link RoundClient#poll}). Spark's own barrier {@code allGather} is no alternative: its tasks
 * wait in 1-second sleeps (0.8 s per sync measured here).
 *
 * <p>Enabled by {@code spark.plugins=org.sparktrain.driver.train.RoundService}, which
 * {@link org.sparktrain.driver.spark.SparkSettings#withDefaults} adds.
 */
public final class RoundService implements SparkPlugin {
  private static volatile boolean driverUp;
  private static final Map<String, Mailbox> MAILBOXES = new ConcurrentHashMap<>();

  @Override
  public DriverPlugin driverPlugin() {
    return new DriverPlugin() {
      @Override
      public Map<String, String> init(SparkContext sc, PluginContext ctx) {
        driverUp = true;
        RoundClient.attachLocalDriver(new RoundClient.LocalDriver() {
          @Override
          public boolean serves(String stream) {
            return driverUp && MAILBOXES.containsKey(stream);
          }

          @Override
          public Object handle(Object message) {
            return RoundService.handle(message);
          }
        });
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
        RoundClient.attachLocalDriver(null);
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
        // Before any task can touch ND4J on this executor: JavaCPP must see which native build to load.
        org.sparktrain.kernels.device.NativeBackend.select();
        RoundClient.attach(ctx);
      }

      @Override
      public void shutdown() {
        RoundClient.attach(null);
      }
    };
  }

  /** Whether this driver JVM runs the plugin (it was in {@code spark.plugins} when the context started). */
  static boolean driverRunning() {
    return driverUp;
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

  /** A reply in bytes; a posted round is encoded once, however many tasks fetch it. */
  private static byte[] encodeReply(Object reply) {
    if (reply == null) {
      return null;
    }
    if (reply instanceof RoundMessages.Next n) {
      return n.encoded();
    }
    return RoundWire.encode(reply);
  }

  /** The driver side of a message; a closed or unknown stream answers "stop". */
  static Object handle(Object message) {
    if (message instanceof RoundMessages.Hello h) {
      Mailbox m = MAILBOXES.get(h.stream());
      return m == null ? RoundMessages.Next.STOP : m.current(); // null (ask again) before the first post
    }
    if (message instanceof RoundMessages.Done d) {
      Mailbox m = MAILBOXES.get(d.stream());
      if (m != null) {
        m.done(d.seq(), d.update());
      }
      return Boolean.TRUE;
    }
    if (message instanceof RoundMessages.Await a) {
      Mailbox m = MAILBOXES.get(a.stream());
      if (m == null) {
        return RoundMessages.Next.STOP;
      }
      RoundMessages.Next n = m.current();
      return n != null && n.seq() > a.seq() ? n : null;
    }
    throw new IllegalArgumentException("unknown message " + (message == null ? "null" : message.getClass()));
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
    private volatile RoundMessages.Next current;
    private long seq;

    Mailbox(Set<Integer> expected) {
      this.expected = Set.copyOf(expected);
    }

    RoundMessages.Next current() {
      return current;
    }

    /** Posts the next round; returns its sequence number. */
    long post(ModelState state, RoundPlan plan) {
      lock.lock();
      try {
        updates.clear();
        current = new RoundMessages.Next(++seq, state, plan);
        return seq;
      } finally {
        lock.unlock();
      }
    }

    void stop() {
      lock.lock();
      try {
        updates.clear();
        current = new RoundMessages.Next(++seq, null, null);
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
