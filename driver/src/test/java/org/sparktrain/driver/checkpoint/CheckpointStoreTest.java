package org.sparktrain.driver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.train.FrequencyController;
import org.sparktrain.driver.train.TrainingState;

/** Atomic, verified checkpoints: round trip, corruption fallback, incomplete writes, retention. */
class CheckpointStoreTest {
  @TempDir
  Path tmp;

  /** A pruning mask over every round-th parameter. */
  private static org.sparktrain.kernels.prune.PruningMask pruned(int n, int round) {
    boolean[] b = new boolean[n];
    for (int i = 0; i < n; i += round) {
      b[i] = true;
    }
    return org.sparktrain.kernels.prune.PruningMask.of(b);
  }

  private static TrainingState state(String run, int round) {
    float[] p = new float[1000];
    float[] u = new float[2000];
    for (int i = 0; i < p.length; i++) {
      p[i] = round * 1000 + i;
    }
    for (int i = 0; i < u.length; i++) {
      u[i] = -i - round;
    }
    return new TrainingState(run, round, round / 10, (round % 10) * 4, round * 4, round * 512L, p, u,
        round > 5 ? 5e-4 : Double.NaN, round > 5 ? 1 : 0,
        new FrequencyController.Snapshot(10, 64, Double.NaN, 0.02, round, 0), new int[] {300, 299}, new int[] {10, 10}, round * 0.5, 77L,
        round % 2 == 0 ? null : pruned(p.length, round));
  }

  private CheckpointStore store() {
    return CheckpointStore.at(tmp.resolve("ck").toString(), new Configuration());
  }

  private String write(CheckpointStore s, String run, int round, int seq) throws Exception {
    return s.write(state(run, round), seq, "seed: 1\n", "{}", Map.of("train_images", "ab".repeat(32)));
  }

  @Test
  void roundTripsEveryField() throws Exception {
    CheckpointStore s = store();
    String name = write(s, "run-a", 7, 1);
    assertEquals("round-00000007", name);
    CheckpointStore.Loaded l = s.newestVerified(m -> {
      throw new AssertionError(m);
    });
    TrainingState want = state("run-a", 7);
    TrainingState got = l.state();
    assertEquals(want.runId(), got.runId());
    assertEquals(List.of(want.round(), want.epoch(), want.step(), want.iteration(), want.rollbacks()),
        List.of(got.round(), got.epoch(), got.step(), got.iteration(), got.rollbacks()));
    assertEquals(want.samples(), got.samples());
    assertEquals(want.learningRate(), got.learningRate());
    assertEquals(want.trainingSeconds(), got.trainingSeconds());
    assertEquals(77L, got.seed());
    assertArrayEquals(want.params(), got.params());
    assertArrayEquals(want.updater(), got.updater());
    assertEquals(want.mask(), got.mask(), "the pruning mask (or its absence) survives");
    assertArrayEquals(want.partitionCounts(), got.partitionCounts());
    assertArrayEquals(want.partitionBatches(), got.partitionBatches());
    assertEquals(want.frequency(), got.frequency(), "NaN controller fields survive JSON");
    assertEquals(1, l.sequence());
    assertEquals("seed: 1\n", l.configYaml());
    assertEquals(Map.of("train_images", "ab".repeat(32)), l.data());
  }

  @Test
  void flippedByteInNewestFallsBackToThePreviousOne() throws Exception {
    flipAndResume(false);
  }

  @Test
  void flippedByteIsCaughtBySha256WhereTheFileSystemKeepsNoChecksums() throws Exception {
    flipAndResume(true);
  }

  private void flipAndResume(boolean dropCrc) throws Exception {
    CheckpointStore s = store();
    write(s, "run-a", 10, 1);
    write(s, "run-a", 20, 2);
    Path params = tmp.resolve("ck/round-00000020/params.bin");
    try (RandomAccessFile f = new RandomAccessFile(params.toFile(), "rw")) {
      f.seek(1234);
      int b = f.read();
      f.seek(1234);
      f.write(b ^ 0x01);
    }
    if (dropCrc) {
      // Hadoop's local file system keeps a .crc beside each file and fails the read on its own;
      // object stores keep none, and then the manifest's SHA-256 is what catches the flip.
      Files.delete(tmp.resolve("ck/round-00000020/.params.bin.crc"));
    }
    List<String> skipped = new ArrayList<>();
    CheckpointStore.Loaded l = s.newestVerified(skipped::add);
    assertEquals("round-00000010", l.name());
    assertEquals(1, skipped.size(), skipped.toString());
    assertTrue(skipped.get(0).contains("round-00000020") && skipped.get(0).contains(dropCrc
        ? "params.bin has SHA-256" : "params.bin is unreadable: Checksum error"), skipped.get(0));
    assertTrue(Files.exists(params), "a rejected checkpoint is reported, not deleted");
  }

  @Test
  void checkpointWithoutManifestOrWithMissingFileIsSkipped() throws Exception {
    CheckpointStore s = store();
    write(s, "run-a", 10, 1);
    write(s, "run-a", 20, 2);
    write(s, "run-a", 30, 3);
    Files.delete(tmp.resolve("ck/round-00000030/MANIFEST.json"));
    Files.delete(tmp.resolve("ck/round-00000020/updater.bin"));
    List<String> skipped = new ArrayList<>();
    assertEquals("round-00000010", s.newestVerified(skipped::add).name());
    assertTrue(skipped.get(0).contains("no MANIFEST.json"), skipped.toString());
    assertTrue(skipped.get(1).contains("updater.bin is missing"), skipped.toString());
  }

  @Test
  void noVerifiedCheckpointGivesNull() throws Exception {
    CheckpointStore s = store();
    assertNull(s.newestVerified(m -> {}));
    write(s, "run-a", 10, 1);
    Files.writeString(tmp.resolve("ck/round-00000010/state.json"), "{}");
    List<String> skipped = new ArrayList<>();
    assertNull(s.newestVerified(skipped::add));
    assertTrue(skipped.get(0).contains("state.json has"), skipped.toString());
  }

  @Test
  void temporaryFoldersAreInvisibleAndCleanedUp() throws Exception {
    CheckpointStore s = store();
    write(s, "run-a", 10, 1);
    Path tmpDir = Files.createDirectories(tmp.resolve("ck/_tmp-round-00000020-dead"));
    Files.writeString(tmpDir.resolve("params.bin"), "partial");
    assertEquals(List.of(new CheckpointStore.Entry("round-00000010", 10)), s.list());
    assertEquals(1, s.removeTemporary());
    assertTrue(Files.notExists(tmpDir));
  }

  @Test
  void retentionKeepsLastKPlusEveryMthAndDropsOtherRuns() throws Exception {
    CheckpointStore s = store();
    write(s, "old-run", 50, 1);
    for (int seq = 1; seq <= 9; seq++) {
      String name = write(s, "run-b", seq * 10, seq);
      Retention.apply(s, "run-b", name, 2, 4);
    }
    List<Integer> left;
    try (Stream<Path> l = Files.list(tmp.resolve("ck"))) {
      left = l.map(p -> Integer.parseInt(p.getFileName().toString().substring(6))).sorted().toList();
    }
    assertEquals(List.of(40, 80, 90), left, "every 4th (seq 4, 8) plus the last 2 (seq 8, 9); old run gone");
  }

  @Test
  void retentionNeverDeletesTheNewestEvenWithKeepLastOne() throws Exception {
    CheckpointStore s = store();
    write(s, "run-c", 10, 1);
    String n = write(s, "run-c", 20, 2);
    Retention.apply(s, "run-c", n, 1, 0);
    assertEquals(List.of(new CheckpointStore.Entry("round-00000020", 20)), s.list());
  }
}
