package org.sparktrain.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.output.AtomicFile;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.Networks;
import org.sparktrain.kernels.model.RowsAsTimeSteps;
import org.sparktrain.kernels.prune.Latency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Inference latency of saved models side by side (e.g. a run's model.zip beside a pruned run's
 * model-structured.zip): rounds of timed forward passes, the models interleaved within each round so
 * machine drift hits all of them, on this JVM's threads (OMP_NUM_THREADS).
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
    description = "Median forward-pass time of saved models (model.zip, model-structured.zip, any DL4J model file), "
        + "interleaved rounds.")
final class LatencyCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "MODEL", description = "DL4J model files (any Hadoop path).")
  List<String> models;

  @Option(names = "--batch", split = ",", defaultValue = "1,256", description = "Batch sizes (default ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--rounds", defaultValue = "5", description = "Interleaved rounds (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--reps", defaultValue = "20", description = "Timed passes per model, batch and round; the round "
      + "keeps their median (default ${DEFAULT-VALUE}).")
  int reps;

  @Option(names = "--output", paramLabel = "FILE", description = "Also write the figures as JSON (any Hadoop path).")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing --output file.")
  boolean overwrite;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (rounds < 1) {
      throw new ConfigException("--rounds", rounds + " is out of range; allowed: >= 1");
    }
    if (reps < 1) {
      throw new ConfigException("--reps", reps + " is out of range; allowed: >= 1");
    }
    for (int b : batches) {
      if (b < 1) {
        throw new ConfigException("--batch", b + " is out of range; allowed: >= 1");
      }
    }
    Configuration hadoop = new Configuration();
    if (output != null) {
      AtomicFile.requireAvailable(output, overwrite, hadoop);
    }
    List<Network> nets = new ArrayList<>();
    int[] inputs = new int[models.size()];
    for (int i = 0; i < models.size(); i++) {
      nets.add(read(models.get(i), hadoop));
      inputs[i] = inputSize(nets.get(i), models.get(i));
    }
    double[][][] ms = new double[models.size()][batches.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int bi = 0; bi < batches.size(); bi++) {
        for (int m = 0; m < nets.size(); m++) {
          int b = batches.get(bi);
          ms[m][bi][r] = Latency.medianMillis(nets.get(m), inputs[m], b, r == 0 ? 5 : 1, reps);
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rounds", rounds);
    out.put("reps", reps);
    out.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
    out.put("load_average", BenchCommand.loadAverage());
    List<Map<String, Object>> rows = new ArrayList<>();
    StringBuilder table = new StringBuilder("| model | parameters |");
    batches.forEach(b -> table.append(" ms, batch ").append(b).append(" (median of rounds; min-max) |"));
    table.append("\n|---|---|").append("---|".repeat(batches.size())).append('\n');
    for (int m = 0; m < nets.size(); m++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("model", models.get(m));
      row.put("parameters", nets.get(m).numParams());
      table.append("| ").append(models.get(m)).append(" | ").append(String.format(Locale.ROOT, "%,d", nets.get(m)
          .numParams())).append(" |");
      Map<String, Object> per = new LinkedHashMap<>();
      for (int bi = 0; bi < batches.size(); bi++) {
        double[] v = ms[m][bi].clone();
        Arrays.sort(v);
        double med = v[v.length / 2];
        per.put(String.valueOf(batches.get(bi)), Map.of("median_ms", med, "min_ms", v[0], "max_ms", v[v.length - 1],
            "round_medians_ms", ms[m][bi]));
        table.append(String.format(Locale.ROOT, " %.2f (%.2f-%.2f) |", med, v[0], v[v.length - 1]));
      }
      row.put("batch", per);
      rows.add(row);
      table.append('\n');
    }
    out.put("models", rows);
    spec.commandLine().getOut().print(table);
    spec.commandLine().getOut().flush();
    if (output != null) {
      AtomicFile.writeText(output, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(out), overwrite, hadoop);
    }
    return ExitCodes.OK;
  }

  private static Network read(String model, Configuration hadoop) {
    Path p = new Path(model);
    try {
      FileSystem fs = p.getFileSystem(hadoop);
      if (!fs.exists(p)) {
        throw new CorruptDataException(model, "does not exist");
      }
      try (InputStream in = fs.open(p)) {
        return Networks.restore(in, model);
      }
    } catch (IOException e) {
      throw new CorruptDataException(model, e.getMessage(), e);
    }
  }

  /** Input values per example: from the first preprocessor (image, rows as time steps) or the first layer's nIn. */
  static int inputSize(Network net, String name) {
    if (!(net.dl4j() instanceof MultiLayerNetwork mln)) {
      throw new CorruptDataException(name, "is a ComputationGraph; latency measures layer stacks");
    }
    MultiLayerConfiguration conf = mln.getLayerWiseConfigurations();
    InputPreProcessor pre = conf.getInputPreProcess(0);
    if (pre instanceof FeedForwardToCnnPreProcessor c) {
      return (int) (c.getInputHeight() * c.getInputWidth() * c.getNumChannels());
    }
    if (pre instanceof RowsAsTimeSteps r) {
      return r.getSteps() * r.getFeatures();
    }
    if (conf.getConf(0).getLayer() instanceof FeedForwardLayer f) {
      return (int) f.getNIn();
    }
    throw new CorruptDataException(name, "its first layer (" + conf.getConf(0).getLayer().getClass().getSimpleName()
        + ") does not say how many inputs an example has");
  }
}
