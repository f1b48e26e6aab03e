package org.sparktrain.driver.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints one progress line on the first and last round and at most every {@code intervalSeconds}
 * in between: round i/N, epoch, loss, samples/s, ETA.
 */
public final class ProgressPrinter implements TrainingListener {
  private final PrintStream out;
  private final double intervalSeconds;
  private double lastPrinted = Double.NEGATIVE_INFINITY;

  public ProgressPrinter(PrintStream out, double intervalSeconds) {
    this.out = out;
    this.intervalSeconds = intervalSeconds;
  }

  @Override
  public void onRound(RoundStats s, int totalRounds, double elapsed, long examplesSoFar) {
    boolean edge = s.round() == 1 || s.round() == totalRounds;
    if (!edge && elapsed - lastPrinted < intervalSeconds) {
      return;
    }
    lastPrinted = elapsed;
    double rate = elapsed > 0 ? examplesSoFar / elapsed : 0;
    double eta = s.round() > 0 ? elapsed / s.round() * (totalRounds - s.round()) : 0;
    out.println(String.format(Locale.ROOT, "round %d/%d  epoch %d  loss %.4f  %,.0f samples/s  elapsed %s  ETA %s",
        s.round(), totalRounds, s.epoch(), s.loss(), rate, clock(elapsed), clock(eta)));
    out.flush();
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
