package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.config.Choices;

class ProgressPrinterTest {
  private static RoundStats round(int r) {
    return RoundStats.of(r, 1, 10, 0.5, 640, 0.1, 0, 0, List.of());
  }

  @Test
  void barRedrawsOneLineAndEndsItAfterTheLastRound() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressPrinter p = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0,
        ProgressPrinter.Mode.BAR);
    for (int r = 1; r <= 4; r++) {
      p.onRound(round(r), 4, r * 0.5, r * 640L);
    }
    String s = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(1, s.chars().filter(c -> c == '\n').count(), s);
    assertEquals(4, s.chars().filter(c -> c == '\r').count(), s);
    assertTrue(s.contains("[#######.....................]  25%  1/4  epoch 1  loss 0.5000  1,280 samples/s  ETA 0:02"), s);
    assertTrue(s.contains("[############################] 100%  4/4") && s.contains("took 0:02"), s);
  }

  @Test
  void linesModeThrottlesBetweenTheFirstAndLastRound() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressPrinter p = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), 2.0);
    for (int r = 1; r <= 10; r++) {
      p.onRound(round(r), 10, r * 0.5, r * 640L);
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(List.of(1, 5, 9, 10), lines.stream().map(l -> Integer.parseInt(l.split("[ /]")[1])).toList());
  }

  @Test
  void autoIsLinesWithoutATerminalAndNonePrintsNothing() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    // tests run without a console, and out is not System.out either way
    TrainingListener auto = ProgressPrinter.of(Choices.Progress.AUTO, out);
    auto.onRound(round(1), 2, 1, 640);
    assertTrue(bytes.toString(StandardCharsets.UTF_8).startsWith("round 1/2"));
    bytes.reset();
    ProgressPrinter.of(Choices.Progress.NONE, out).onRound(round(1), 2, 1, 640);
    assertEquals(0, bytes.size());
  }
}
