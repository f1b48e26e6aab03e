package org.sparktrain.driver.train;

import java.io.PrintStream;
import java.util.Locale;
import org.sparktrain.driver.config.Choices;

/**
 * Prints a run's progress: round i/N, epoch, loss, samples/s, ETA. As {@link Mode#LINES} (logs, pipes,
 * CI): one line on the first and last round and at most every {@code intervalSeconds} in between.
 * As {@link Mode#BAR} (a terminal): one line redrawn in place with a bar, at most 5 times a second,
 * ended by a newline after the last round.
 */
public final class ProgressPrinter implements TrainingListener {
  /** How progress is shown. */
  public enum Mode { BAR, LINES }

  static final int BAR_WIDTH = 28;
  private final PrintStream out;
  private final double intervalSeconds;
  private final Mode mode;
  private double lastPrinted = Double.NEGATIVE_INFINITY;
  private int lastWidth;

  /** Plain lines every {@code intervalSeconds}. */
  public ProgressPrinter(PrintStream out, double intervalSeconds) {
    this(out, intervalSeconds, Mode.LINES);
  }

  public ProgressPrinter(PrintStream out, double intervalSeconds, Mode mode) {
    this.out = out;
    this.intervalSeconds = intervalSeconds;
    this.mode = mode;
  }

  /**
   * The printer {@code monitoring.progress} asks for: auto is a bar when the JVM runs on a terminal
   * ({@link System#console()}) and {@code out} is standard output, lines otherwise; none prints nothing.
   */
  public static TrainingListener of(Choices.Progress choice, PrintStream out) {
    return switch (choice) {
      case NONE -> new TrainingListener() { };
      case LINES -> new ProgressPrinter(out, 2.0, Mode.LINES);
      case BAR -> new ProgressPrinter(out, 0.2, Mode.BAR);
      case AUTO -> System.console() != null && out == System.out ? new ProgressPrinter(out, 0.2, Mode.BAR)
          : new ProgressPrinter(out, 2.0, Mode.LINES);
    };
  }

  @Override
  public void onRound(RoundStats s, int totalRounds, double elapsed, long examplesSoFar) {
    boolean last = s.round() >= totalRounds;
    boolean edge = s.round() == 1 || last;
    if (!edge && elapsed - lastPrinted < intervalSeconds) {
      return;
    }
    lastPrinted = elapsed;
    double rate = elapsed > 0 ? examplesSoFar / elapsed : 0;
    double eta = s.round() > 0 ? elapsed / s.round() * Math.max(0, totalRounds - s.round()) : 0;
    if (mode == Mode.LINES) {
      out.println(String.format(Locale.ROOT, "round %d/%d  epoch %d  loss %.4f  %,.0f samples/s  elapsed %s  ETA %s",
          s.round(), totalRounds, s.epoch(), s.loss(), rate, clock(elapsed), clock(eta)));
    } else {
      String line = bar(s.round(), totalRounds, String.format(Locale.ROOT, "epoch %d  loss %.4f  %,.0f samples/s  %s",
          s.epoch(), s.loss(), rate, last ? "took " + clock(elapsed) : "ETA " + clock(eta)));
      // pad over a longer previous line; a terminal needs no cursor codes for this
      out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
      lastWidth = line.length();
      if (last) {
        out.println();
        lastWidth = 0;
      }
    }
    out.flush();
  }

  /** {@code [#######.......]  45%  45/100  detail}. */
  public static String bar(long done, long total, String detail) {
    double f = total > 0 ? Math.min(1, (double) done / total) : 0;
    int filled = (int) Math.round(f * BAR_WIDTH);
    return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] "
        + String.format(Locale.ROOT, "%3d%%  %d/%d  %s", Math.round(f * 100), done, total, detail);
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour. */
  public static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
