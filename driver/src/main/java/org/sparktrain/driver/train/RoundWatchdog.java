package org.sparktrain.driver.train;

import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Cancels a round that runs longer than {@code guard.round_timeout_seconds} and turns the
 * cancellation into a {@link RoundTimeoutException} that names what was still running. One per
 * training run; its timer thread starts on first use and stops with {@link #close}.
 */
final class RoundWatchdog implements AutoCloseable {
  private final int timeoutSeconds;
  private ScheduledExecutorService timer;

  RoundWatchdog(int timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  /**
   * Runs {@code body} (waiting for round {@code round}); past the time-out, records
   * {@code stuck.get()} and runs {@code cancel}, which makes {@code body} fail.
   */
  <T> T watch(int round, Callable<T> body, Supplier<String> stuck, Runnable cancel) {
    AtomicReference<String> timedOut = new AtomicReference<>();
    ScheduledFuture<?> alarm = timeoutSeconds <= 0 ? null : timer().schedule(() -> {
      timedOut.set(stuck.get());
      cancel.run();
    }, timeoutSeconds, TimeUnit.SECONDS);
    try {
      return body.call();
    } catch (Exception e) { // Spark's SparkException is checked but thrown undeclared
      if (timedOut.get() != null) {
        throw new RoundTimeoutException("round " + round + " did not finish within guard.round_timeout_seconds="
            + timeoutSeconds + " and was cancelled: " + timedOut.get() + ". Check that executor's log "
            + "for a stuck task, or raise guard.round_timeout_seconds if rounds are legitimately this slow.");
      }
      throw RoundWatchdog.<RuntimeException>sneaky(e);
    } finally {
      if (alarm != null) {
        alarm.cancel(false);
      }
    }
  }

  private synchronized ScheduledExecutorService timer() {
    if (timer == null) {
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sparktrain-round-watchdog");
        t.setDaemon(true);
        return t;
      });
    }
    return timer;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E sneaky(Exception e) throws E {
    throw (E) e;
  }
}
