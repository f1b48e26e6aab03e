package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.prune.CompactModel;
import org.sparktrain.kernels.train.FloatArrays;

/**
 * {@code prune --model}: a trained model is pruned one-shot and fine-tuned to the target sparsity;
 * the outputs record it (metrics, provenance, compact files); bad models and mismatched configs fail
 * with one line naming the flag or key.
 */
class PruneCommandTest {
  @TempDir
  static Path tmp;

  private static Path trained;

  private static Cli.Result run(String... args) {
    return Cli.run(args);
  }

  private static String conf() {
    return Cli.conf("fashion-mnist-mlp.yaml");
  }

  private static final String[] SMALL = {"--set", "data.limit.train=4000", "--set", "data.limit.test=1000", "--set",
      "training.epochs=1", "--master", "local[2]"};

  private static String[] with(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + SMALL.length);
    System.arraycopy(SMALL, 0, all, args.length, SMALL.length);
    return all;
  }

  @BeforeAll
  static void trainOnce() {
    Cli.Result r = run(with("train", "--config", conf(), "--output", tmp.resolve("base").toString()));
    assertEquals(0, r.code(), r.err());
    trained = tmp.resolve("base/model.zip");
  }

  @Test
  void prunesATrainedModelToTheTargetAndRecordsWhereItCameFrom() throws Exception {
    Path out = tmp.resolve("pruned");
    Cli.Result r = run(with("prune", "--model", trained.toString(), "--config", conf(), "--output", out.toString(),
        "--set", "pruning.method=magnitude", "--set", "pruning.schedule=one_shot", "--set",
        "pruning.target_sparsity=0.8", "--set", "output.int8=true"));
    assertEquals(0, r.code(), r.err());
    JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile()).get("model");
    long weights = m.get("weights").asLong();
    assertEquals(Math.round(0.2 * weights), m.get("nonzero_weights").asLong(), m.toString());
    assertTrue(m.get("mask_holds").asBoolean());
    assertTrue(m.get("bytes").get("sparse").asLong() < m.get("bytes").get("float32_parameters").asLong() / 2);
    assertTrue(m.get("inference_ms").get("batch_256").asDouble() > 0);
    assertTrue(m.get("int8").get("weight_compression").asDouble() > 3.5, m.toString());
    JsonNode prov = new ObjectMapper().readTree(out.resolve("provenance.json").toFile()).get("warm_start");
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(trained)));
    assertEquals(sha, prov.get("sha256").asText());
    assertEquals(trained.toString(), prov.get("model").asText());
    // the sparse file restores the pruned network exactly
    Network sparse = CompactModel.read(Files.readAllBytes(out.resolve("model-sparse.bin")), "model-sparse.bin");
    Network zip = org.sparktrain.kernels.model.Networks.restore(Files.newInputStream(out.resolve("model.zip")),
        "model.zip");
    assertEquals(java.util.Arrays.toString(FloatArrays.flat(zip.params())),
        java.util.Arrays.toString(FloatArrays.flat(sparse.params())));
    // it started from the trained model, not from the seeded initialisation: the kept weights keep their signs
    Network base = org.sparktrain.kernels.model.Networks.restore(Files.newInputStream(trained), "model.zip");
    float[] a = FloatArrays.flat(base.params());
    float[] b = FloatArrays.flat(zip.params());
    int sameSign = 0;
    int both = 0;
    for (int i = 0; i < a.length; i++) {
      if (b[i] != 0) {
        both++;
        if (Math.signum(a[i]) == Math.signum(b[i])) {
          sameSign++;
        }
      }
    }
    assertTrue(sameSign > 0.9 * both, "kept weights continue the trained ones: " + sameSign + " of " + both);
  }

  @Test
  void badModelsAndMismatchedConfigsFailWithOneLine() throws Exception {
    Cli.Result missing = run(with("prune", "--model", tmp.resolve("nope.zip").toString(), "--config", conf(), "--output",
        tmp.resolve("o1").toString(), "--set", "pruning.method=magnitude"));
    assertEquals(ExitCodes.USAGE, missing.code(), missing.err());
    assertTrue(missing.err().contains("--model") && missing.err().contains("nope.zip does not exist"), missing.err());
    Path junk = tmp.resolve("junk.zip");
    Files.write(junk, new byte[] {1, 2, 3});
    Cli.Result bad = run(with("prune", "--model", junk.toString(), "--config", conf(), "--output",
        tmp.resolve("o2").toString(), "--set", "pruning.method=magnitude"));
    assertEquals(3, bad.code(), bad.err());
    assertTrue(bad.err().contains("junk.zip") && bad.err().contains("not a DL4J model file"), bad.err());
    Cli.Result off = run(with("prune", "--model", trained.toString(), "--config", conf(), "--output",
        tmp.resolve("o3").toString()));
    assertEquals(ExitCodes.USAGE, off.code(), off.err());
    assertTrue(off.err().contains("pruning.method"), off.err());
    Cli.Result other = run(with("prune", "--model", trained.toString(), "--config", conf(), "--output",
        tmp.resolve("o4").toString(), "--set", "pruning.method=magnitude", "--set",
        "model.layers=[{type: dense, units: 64}, {type: output}]"));
    assertEquals(ExitCodes.USAGE, other.code(), other.err());
    assertTrue(other.err().contains("model.layers") && other.err().contains("use the config the model was trained"),
        other.err());
    for (Cli.Result r : new Cli.Result[] {missing, bad, off, other}) {
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
    assertFalse(Files.exists(tmp.resolve("o4/_SUCCESS")));
  }
}
