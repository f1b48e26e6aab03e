package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of the bad-input corpus (src/test/resources/bad-inputs, see its README): a non-zero
 * exit code, one line on stderr naming the file or key, and an existing output directory (a finished
 * run with checkpoints, which --overwrite would replace) left exactly as it was.
 */
class BadInputCorpusTest {
  private static final Path CORPUS = Path.of(System.getProperty("sparktrain.repo.root", ".."))
      .resolve("jobs/src/test/resources/bad-inputs").toAbsolutePath().normalize();
  private static final String VALID_IMAGES = CORPUS.resolve("valid/images-idx3-ubyte.gz").toString();
  private static final String VALID_LABELS = CORPUS.resolve("valid/labels-idx1-ubyte.gz").toString();

  @TempDir
  Path tmp;

  private static String idx(String name) {
    return CORPUS.resolve("idx").resolve(name).toString();
  }

  /** A corrupt IDX file of the corpus put in place of {@code key}: exit 3, the file named. */
  private static Arguments corruptIdx(String name, String key, String file) {
    return data(name, 3, file, key + "=" + idx(file));
  }

  private static Arguments data(String name, int code, String named, String... sets) {
    List<String> all = new ArrayList<>(List.of("training.epochs=1"));
    all.addAll(List.of(sets));
    return Arguments.of(name, "conf/fashion-mnist-mlp.yaml", all, code, named);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        corruptIdx("truncated gzip", "data.train.images", "truncated-images-idx3-ubyte.gz"),
        corruptIdx("truncated plain", "data.train.images", "truncated-plain-images-idx3-ubyte"),
        corruptIdx("not gzip", "data.train.images", "not-gzip-images-idx3-ubyte.gz"),
        corruptIdx("garbled gzip", "data.train.images", "garbled-gzip-images-idx3-ubyte.gz"),
        corruptIdx("wrong magic", "data.train.images", "wrong-magic-images-idx3-ubyte.gz"),
        corruptIdx("count mismatch", "data.train.labels", "count-mismatch-labels-idx1-ubyte.gz"),
        corruptIdx("label out of range", "data.train.labels", "out-of-range-labels-idx1-ubyte.gz"),
        corruptIdx("wrong image size", "data.test.images", "wrong-size-images-idx3-ubyte.gz"),
        corruptIdx("empty file", "data.train.images", "empty-images-idx3-ubyte"),
        corruptIdx("trailing bytes", "data.train.labels", "trailing-bytes-labels-idx1-ubyte.gz"),
        corruptIdx("missing file", "data.train.images", "no-such-file.gz"),
        data("unreadable image in a folder", 3, "folder/train/sh", "data.format=folder",
            "data.train.folder=" + CORPUS.resolve("folder/train"), "data.test.folder=" + CORPUS.resolve("folder/train"),
            "data.num_classes=2"),
        Arguments.of("unknown key", "yaml/unknown-key.yaml", List.of(), 2, "training.batch_sise"),
        Arguments.of("wrong type", "yaml/wrong-type.yaml", List.of(), 2, "training.batch_size"),
        Arguments.of("negative size", "yaml/negative-size.yaml", List.of(), 2, "training.batch_size"),
        Arguments.of("negative layer size", "yaml/layer-negative-units.yaml", List.of(), 2, "model.layers[0].units"),
        Arguments.of("not yaml", "yaml/not-yaml.yaml", List.of(), 2, "not-yaml.yaml"),
        data("negative size by --set", 2, "training.batch_size", "training.batch_size=-1"),
        data("pruning everything", 2, "pruning.target_sparsity", "pruning.method=magnitude",
            "pruning.target_sparsity=1.0"),
        data("pruning an unknown layer", 2, "pruning.layers[1]", "pruning.method=magnitude", "pruning.layers=[0, 7]"),
        data("pruning on engine single", 2, "pruning.method", "pruning.method=magnitude", "engine=single"),
        data("pruning method misspelt", 2, "pruning.method", "pruning.method=magnitud"),
        table("table: missing column", "nope", "train.csv", "train.csv", "data.features=[a, nope]"),
        table("table: ragged csv row", "ragged.csv", "ragged.csv", "train.csv"),
        table("table: NaN under on_null fail", "column 'a' has 1 null or NaN", "nan.csv", "train.csv"),
        table("table: label outside the class map", "label 'axolotl' of column 'label' is not in the class map",
            "train.csv", "odd-label.csv"),
        table("table: empty", "empty.csv: holds no rows", "empty.csv", "train.csv"),
        table("table: text in a numeric feature", "column 'b' is string, not numeric", "text-feature.csv", "train.csv"),
        data("table: an image augmentation on rows", 2, "augmentation.ops[0].type", "data.format=csv",
            "data.features=[a, b]", "data.label=label", "data.num_classes=2",
            "data.train.path=" + CORPUS.resolve("table/train.csv"), "data.test.path=" + CORPUS.resolve("table/train.csv"),
            "augmentation.ops=[{type: flip_h, p: 0.5}]"));
  }

  /** A CSV table of the corpus as the training / test split (features a, b; string label): exit 3. */
  private static Arguments table(String name, String named, String train, String test, String... more) {
    List<String> sets = new ArrayList<>(List.of("data.format=csv", "data.features=[a, b]", "data.label=label",
        "data.num_classes=2", "data.train.path=" + CORPUS.resolve("table").resolve(train),
        "data.test.path=" + CORPUS.resolve("table").resolve(test)));
    sets.addAll(List.of(more));
    return data(name, 3, named, sets.toArray(String[]::new));
  }

  /** A finished run with a checkpoint: what a bad run must not damage. */
  private Path finishedRun() throws IOException {
    Path out = tmp.resolve("finished");
    Files.createDirectories(out.resolve("_checkpoints/round-00000005"));
    Files.writeString(out.resolve("_SUCCESS"), "");
    Files.writeString(out.resolve("metrics.json"), "{\"test_accuracy\": 0.85}");
    Files.write(out.resolve("model.zip"), new byte[] {80, 75, 3, 4, 1, 2, 3});
    Files.writeString(out.resolve("_checkpoints/round-00000005/MANIFEST.json"), "{\"format\": 1}");
    Files.write(out.resolve("_checkpoints/round-00000005/params.bin"), new byte[] {1, 2, 3, 4});
    return out;
  }

  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        m.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir"
            : java.util.Arrays.toString(Files.readAllBytes(p)) + "@" + Files.getLastModifiedTime(p));
      }
    }
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void failsCleanlyAndTouchesNothing(String name, String config, List<String> sets, int code, String named)
      throws Exception {
    Path out = finishedRun();
    Map<String, String> before = snapshot(out);
    Path conf = config.startsWith("yaml/") ? CORPUS.resolve(config)
        : Path.of(System.getProperty("sparktrain.repo.root", "..")).resolve(config);
    List<String> args = new ArrayList<>(List.of("train", "--config", conf.toString(), "--output", out.toString(),
        "--overwrite", "--master", "local[2]",
        "--set", "data.train.images=" + VALID_IMAGES, "--set", "data.train.labels=" + VALID_LABELS,
        "--set", "data.test.images=" + VALID_IMAGES, "--set", "data.test.labels=" + VALID_LABELS));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    StringWriter err = new StringWriter();
    int exit = Main.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true))
        .execute(args.toArray(String[]::new));
    String e = err.toString().strip();
    assertEquals(code, exit, name + ": " + e);
    assertEquals(1, e.lines().count(), "one line: " + e);
    assertTrue(e.startsWith("sparktrain: error: ") && e.contains(named), name + ": " + e);
    assertEquals(before, snapshot(out), name + ": the finished run and its checkpoint are untouched");
  }

  @org.junit.jupiter.api.Test
  void finishedRunIsNotReplacedWithoutOverwrite() throws Exception {
    Path out = finishedRun();
    Map<String, String> before = snapshot(out);
    StringWriter err = new StringWriter();
    int exit = Main.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)).execute(
        "train", "--config", Path.of(System.getProperty("sparktrain.repo.root", "..")).resolve(
            "conf/fashion-mnist-mlp.yaml").toString(), "--output", out.toString(), "--master", "local[2]");
    assertEquals(ExitCodes.OUTPUT_EXISTS, exit, err.toString());
    assertTrue(err.toString().contains("already holds a finished run (_SUCCESS)")
        && err.toString().contains(out.toString()), err.toString());
    assertEquals(before, snapshot(out));
  }
}
