package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.kernels.model.LayerSpec;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.NetworkFactory;
import org.sparktrain.kernels.model.OptimizerSpec;

class LatencyCommandTest {
  private static final OptimizerSpec ADAM = new OptimizerSpec("adam", 1e-3, 0, 0);

  @TempDir
  Path tmp;

  private Path save(String name, List<LayerSpec> layers) throws Exception {
    Network net = NetworkFactory.spec(layers, ADAM, new int[] {28, 28}, 10, 1).build();
    Path p = tmp.resolve(name);
    try (OutputStream out = Files.newOutputStream(p)) {
      net.save(out, false);
    }
    return p;
  }

  @Test
  void timesEachModelAtEachBatchAndWritesTheFigures() throws Exception {
    Path big = save("big.zip", List.of(LayerSpec.dense(256, "relu"), LayerSpec.output("softmax")));
    Path cnn = save("cnn.zip", List.of(new LayerSpec("conv", null, "relu", 4, 5, 1, null),
        new LayerSpec("maxpool", null, null, null, 2, 2, null), LayerSpec.output("softmax")));
    Path json = tmp.resolve("latency.json");
    Cli.Result r = Cli.run("latency", big.toString(), cnn.toString(), "--batch", "1,8", "--rounds", "2", "--reps", "3",
        "--output", json.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("| " + big + " | 203,530 |"), r.out());
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    assertEquals(2, j.get("models").size());
    for (JsonNode m : j.get("models")) {
      for (String b : List.of("1", "8")) {
        JsonNode f = m.get("batch").get(b);
        assertEquals(2, f.get("round_medians_ms").size(), m.toString());
        assertTrue(f.get("min_ms").asDouble() > 0 && f.get("min_ms").asDouble() <= f.get("median_ms").asDouble()
            && f.get("median_ms").asDouble() <= f.get("max_ms").asDouble(), m.toString());
      }
    }
    assertEquals(784, LatencyCommand.inputSize(org.sparktrain.kernels.model.Networks.restore(Files.newInputStream(cnn),
        "cnn.zip"), "cnn.zip"), "an image's 28 x 28 x 1 values");
  }

  @Test
  void aMissingModelOrAnExistingOutputIsRefused() throws Exception {
    Cli.Result r = Cli.run("latency", tmp.resolve("nope.zip").toString());
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains("nope.zip") && r.err().contains("does not exist"), r.err());
    Path big = save("m.zip", List.of(LayerSpec.dense(8, "relu"), LayerSpec.output("softmax")));
    Path json = Files.writeString(tmp.resolve("taken.json"), "keep");
    r = Cli.run("latency", big.toString(), "--output", json.toString());
    assertEquals(4, r.code(), r.err());
    assertEquals("keep", Files.readString(json));
    r = Cli.run("latency", big.toString(), "--reps", "0");
    assertEquals(2, r.code(), r.err());
  }
}
