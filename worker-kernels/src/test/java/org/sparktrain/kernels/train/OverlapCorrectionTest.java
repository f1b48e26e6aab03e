package org.sparktrain.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The replica-side arithmetic of overlapped averaging, on replicas whose "training" adds a fixed
 * drift per round: the protocol the trainer runs (round 1 reset, round 2 continue, round r >= 3
 * corrected by the average of round r - 2) must keep the mean exact and bound every replica's
 * deviation by its last two rounds of drift.
 */
class OverlapCorrectionTest {
  private static final int N = 3;
  private static final int D = 5;

  @Test
  void deviationIsTheLastTwoRoundsOfDriftAndTheMeanIsExact() {
    float[][] drift = {{1, -2, 0, 0.5f, 3}, {-1, 1, 2, 0, -1}, {0, 1, -2, -0.5f, -2}}; // each column sums to 0
    float[] common = {0.25f, 0.5f, -0.25f, 1, 0};
    Sim sim = new Sim(drift, common);
    for (int r = 1; r <= 12; r++) {
      float[] avg = sim.round(r);
      // the mean moves by the common part only, as if every replica had started from it
      for (int j = 0; j < D; j++) {
        assertEquals(r * common[j], avg[j], 1e-4, "mean after round " + r);
      }
      if (r >= 3) {
        for (int i = 0; i < N; i++) {
          for (int j = 0; j < D; j++) {
            assertEquals(2 * drift[i][j], sim.y[i][j] - avg[j], 1e-4, "deviation of replica " + i + " round " + r);
          }
        }
      }
    }
  }

  @Test
  void randomDriftStaysBounded() {
    Random rnd = new Random(7);
    Sim sim = new Sim(null, new float[D]);
    double worst = 0;
    for (int r = 1; r <= 200; r++) {
      float[][] drift = new float[N][D];
      for (int j = 0; j < D; j++) {
        float sum = 0;
        for (int i = 0; i < N - 1; i++) {
          drift[i][j] = (float) rnd.nextGaussian();
          sum += drift[i][j];
        }
        drift[N - 1][j] = -sum;
      }
      sim.drift = drift;
      float[][] before = sim.previousDrift;
      float[] avg = sim.round(r);
      if (r >= 3) {
        for (int i = 0; i < N; i++) {
          for (int j = 0; j < D; j++) {
            double expected = drift[i][j] + before[i][j];
            assertEquals(expected, sim.y[i][j] - avg[j], 1e-3);
            worst = Math.max(worst, Math.abs(sim.y[i][j] - avg[j]));
          }
        }
      }
      sim.previousDrift = drift;
    }
    assertTrue(worst < 12, "deviation stays within two rounds of drift: " + worst);
  }

  @Test
  void partialGainKeepsTheMeanExactAndSettlesTheDeviation() {
    float[][] drift = {{1, -2, 0, 0.5f, 3}, {-1, 1, 2, 0, -1}, {0, 1, -2, -0.5f, -2}};
    float[] common = {0.25f, 0.5f, -0.25f, 1, 0};
    Sim sim = new Sim(drift, common);
    sim.gain = 0.5f;
    float[][] previous = null;
    for (int r = 1; r <= 80; r++) {
      float[] avg = sim.round(r);
      for (int j = 0; j < D; j++) {
        assertEquals(r * common[j], avg[j], 1e-3, "mean after round " + r);
      }
      float[][] dev = new float[N][D];
      for (int i = 0; i < N; i++) {
        for (int j = 0; j < D; j++) {
          dev[i][j] = sim.y[i][j] - avg[j];
          assertTrue(Math.abs(dev[i][j]) <= 4 * Math.abs(drift[i][j]) + 1e-3, "bounded at round " + r);
        }
      }
      previous = r == 79 ? dev : previous;
      if (r == 80) {
        for (int i = 0; i < N; i++) {
          assertArrayEquals(previous[i], dev[i], 1e-3f, "the deviation has settled");
        }
      }
    }
  }

  @Test
  void oneReplicaIsNeverCorrected() {
    OverlapCorrection c = new OverlapCorrection();
    float[] x = {1, 2, 3};
    c.remember(1, x.clone(), null);
    x[0] += 1;
    c.remember(2, x.clone(), null);
    float[] avgOfRound1 = {1, 2, 3};
    float[] before = x.clone();
    c.correct(1, x, avgOfRound1, null, null, 1f);
    assertArrayEquals(before, x);
  }

  @Test
  void forgetsSettledRoundsAndRefusesUnknownOnes() {
    OverlapCorrection c = new OverlapCorrection();
    c.remember(1, new float[] {0}, null);
    c.remember(2, new float[] {0}, null);
    c.remember(3, new float[] {0}, null);
    assertFalse(c.has(1), "only the last two rounds are kept");
    assertTrue(c.has(2) && c.has(3));
    c.correct(2, new float[] {0}, new float[] {0}, null, null, 1f);
    assertFalse(c.has(2));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> c.correct(2, new float[] {0}, new float[] {0}, null, null, 1f));
    assertTrue(e.getMessage().contains("round 2"), e.getMessage());
    c.reset();
    assertFalse(c.has(3));
  }

  /** N replicas running the trainer's overlapped protocol; "training" adds drift + common. */
  private static final class Sim {
    float[][] drift;
    float[][] previousDrift = new float[N][D];
    final float[] common;
    final float[][] x = new float[N][D];
    final float[][] y = new float[N][D];
    final OverlapCorrection[] c = new OverlapCorrection[N];
    final java.util.Map<Integer, float[]> averages = new java.util.HashMap<>();
    float gain = 1f;

    Sim(float[][] drift, float[] common) {
      this.drift = drift;
      this.common = common;
      for (int i = 0; i < N; i++) {
        c[i] = new OverlapCorrection();
      }
    }

    float[] round(int r) {
      float[] avg = new float[D];
      for (int i = 0; i < N; i++) {
        if (r == 1) {
          c[i].reset();
        } else if (r >= 3) {
          c[i].correct(r - 2, x[i], averages.get(r - 2), null, null, gain);
        }
        for (int j = 0; j < D; j++) {
          x[i][j] += drift[i][j] + common[j];
        }
        y[i] = x[i].clone();
        c[i].remember(r, y[i], null);
        for (int j = 0; j < D; j++) {
          avg[j] += y[i][j] / N;
        }
      }
      averages.put(r, avg);
      return avg;
    }
  }
}
