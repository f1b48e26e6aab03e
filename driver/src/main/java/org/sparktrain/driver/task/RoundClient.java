package org.sparktrain.driver.task;

import org.apache.spark.api.plugin.PluginContext;

/**
 * The executor half of streamed rounds: a task's line to the driver's plugin endpoint. The plugin
 * ({@code org.sparktrain.driver.train.RoundService}) attaches this executor's {@link PluginContext},
 * and, in the driver's JVM, a {@link LocalDriver} that answers messages without encoding them.
 */
public final class RoundClient {
  /** The plugin class users name in {@code spark.plugins}. */
  public static final String PLUGIN_CLASS = "org.sparktrain.driver.train.RoundService";

  private static volatile PluginContext executorContext;
  private static volatile LocalDriver localDriver;

  private RoundClient() {}

  /** The driver side as seen from a task in the same JVM (local mode). */
  public interface LocalDriver {
    /** Whether {@code stream} is open on this driver. */
    boolean serves(String stream);

    /** The driver's answer to {@code message}. */
    Object handle(Object message);
  }

  /** Called by the executor plugin when it starts (null when it shuts down). */
  public static void attach(PluginContext ctx) {
    executorContext = ctx;
  }

  /** Called by the driver plugin when it starts (null when it shuts down). */
  public static void attachLocalDriver(LocalDriver driver) {
    localDriver = driver;
  }

  /** This executor's plugin context; fails with advice when the plugin is not loaded. */
  public static PluginContext executor() {
    PluginContext ctx = executorContext;
    if (ctx == null) {
      throw new IllegalStateException("streamed rounds need the sparktrain plugin on every executor: set "
          + "spark.plugins=" + PLUGIN_CLASS + " (sparktrain's launcher does) and ship the sparktrain "
          + "jar with the application, or set averaging.transport: jobs");
    }
    return ctx;
  }

  /**
   * Sends {@code message} to the driver and returns its answer. A task that runs in the driver's
   * JVM (local mode) hands the objects over directly, as Spark's RPC does with messages to a local
   * endpoint; elsewhere both travel encoded ({@link RoundWire}).
   */
  public static Object ask(PluginContext ctx, Object message) throws Exception {
    LocalDriver local = localDriver;
    if (!alwaysEncode && local != null && local.serves(streamOf(message))) {
      return local.handle(message);
    }
    Object reply = ctx.ask(RoundWire.encode(message));
    return reply == null ? null : RoundWire.decode((byte[]) reply);
  }

  /** Tests: encode every message even where the driver runs in the same JVM. */
  public static volatile boolean alwaysEncode;

  private static String streamOf(Object message) {
    if (message instanceof RoundMessages.Hello h) {
      return h.stream();
    }
    if (message instanceof RoundMessages.Done d) {
      return d.stream();
    }
    if (message instanceof RoundMessages.Await a) {
      return a.stream();
    }
    return "";
  }

  /**
   * Asks the driver until it answers (a non-null reply), parking 20 us at first, then twice as long
   * each time up to {@code maxParkNanos} between asks, and up to {@link #LONG_WAIT_PARK_NANOS} once
   * it has waited a second (a long round elsewhere, or a lost task waiting for a new executor:
   * the driver is not asked thousands of times a second meanwhile). A cancelled task (interrupted
   * by Spark) stops waiting.
   */
  public static RoundMessages.Next poll(PluginContext ctx, Object message, long maxParkNanos) {
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
        return (RoundMessages.Next) r;
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
  public static final long LONG_WAIT_PARK_NANOS = 20_000_000L;

  /**
   * How long a task waiting for the next round parks at most between asks: 50 us per waiting task
   * (all of them ask the same single-threaded endpoint), between 100 us and 2 ms. A round's
   * averaging takes the driver 1-3 ms for a 235,000-parameter model, so a task learns of the next
   * round within a few percent of a round's time.
   */
  public static long maxPark(int tasks) {
    return Math.max(100_000L, Math.min(2_000_000L, 50_000L * tasks));
  }
}
