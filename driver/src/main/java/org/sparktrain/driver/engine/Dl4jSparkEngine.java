package org.sparktrain.driver.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.train.RoundStats;
import org.sparktrain.driver.train.TrainingListener;
import org.sparktrain.driver.train.TrainingResult;
import org.sparktrain.kernels.augment.AugmentationPipeline;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.train.BatchPlan;
import org.sparktrain.kernels.model.GraphModel;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.MultiLayerModel;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.train.Minibatches;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;

/**
 * The same config trained by DL4J's own Spark module ({@link SparkDl4jMultiLayer} with
 * {@link ParameterAveragingTrainingMaster}, export approach): the baseline sparktrain must beat and an
 * engine users can migrate from. Its export files are deleted when the run ends.
 */
public final class Dl4jSparkEngine implements TrainingEngine {
  private static final Logger LOG = LoggerFactory.getLogger(Dl4jSparkEngine.class);

  @Override
  public TrainingResult train(EngineContext ctx) {
    TrainConfig c = ctx.config();
    JavaSparkContext sc = ctx.sc();
    int batch = c.training().batchSize();
    int k = c.averaging().k();
    Path exportDir = exportDirectory(sc, ctx.runId());
    ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(batch)
        .batchSizePerWorker(batch)
        .averagingFrequency(k)
        .workerPrefetchNumBatches(2)
        .saveUpdater(c.averaging().updaterState())
        .rngSeed(c.seed())
        .rddTrainingApproach(RDDTrainingApproach.Export)
        .exportDirectory(exportDir.toString())
        .build();
    DistributedNet sparkNet = DistributedNet.of(sc, ctx.model(), tm);
    List<RoundStats> rounds = new ArrayList<>();
    long samples = 0;
    long start = System.nanoTime();
    int epochs = c.training().epochs();
    try {
      for (int epoch = 0; epoch < epochs; epoch++) {
        long t0 = System.nanoTime();
        JavaRDD<DataSet> minibatches = ctx.train().distributed().blocks()
            .mapPartitionsWithIndex(new ToMinibatches(batch, c.seed(), epoch, c.data().shuffle(),
                c.data().numClasses(), c.augmentation().pipeline()), true);
        sparkNet.fit(minibatches);
        long examples = ctx.train().count() * c.augmentation().copies();
        samples += examples;
        double seconds = (System.nanoTime() - t0) / 1e9;
        RoundStats stats = new RoundStats(epoch + 1, epoch + 1, k, sparkNet.getScore(), examples, seconds, Double.NaN,
            Double.NaN, Double.NaN, List.of());
        rounds.add(stats);
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (TrainingListener l : ctx.listeners()) {
          l.onRound(stats, epochs, elapsed, samples);
        }
      }
    } finally {
      cleanUp(sc, tm, exportDir);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    Network net = sparkNet.network();
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("engine_note", "DL4J ParameterAveragingTrainingMaster (export approach); one reported round per epoch");
    return new TrainingResult(net, rounds, samples, wall, info);
  }

  /** DL4J's Spark wrapper of either network type. */
  private interface DistributedNet {
    void fit(JavaRDD<DataSet> minibatches);

    double getScore();

    Network network();

    static DistributedNet of(JavaSparkContext sc, ModelSpec spec, ParameterAveragingTrainingMaster tm) {
      if (spec.kind() == ModelSpec.Kind.GRAPH) {
        SparkComputationGraph g = new SparkComputationGraph(sc, spec.graph(), tm);
        return new DistributedNet() {
          public void fit(JavaRDD<DataSet> m) {
            g.fit(m);
          }

          public double getScore() {
            return g.getScore();
          }

          public Network network() {
            return new GraphModel(g.getNetwork());
          }
        };
      }
      SparkDl4jMultiLayer n = new SparkDl4jMultiLayer(sc, spec.multiLayer(), tm);
      return new DistributedNet() {
        public void fit(JavaRDD<DataSet> m) {
          n.fit(m);
        }

        public double getScore() {
          return n.getScore();
        }

        public Network network() {
          return new MultiLayerModel(n.getNetwork());
        }
      };
    }
  }

  private static Path exportDirectory(JavaSparkContext sc, String runId) {
    String base = sc.master().startsWith("local") ? "file://" + System.getProperty("java.io.tmpdir") : "/tmp";
    return new Path(base + "/sparktrain-dl4j-spark-" + runId);
  }

  private static void cleanUp(JavaSparkContext sc, ParameterAveragingTrainingMaster tm, Path dir) {
    try {
      tm.deleteTempFiles(sc);
    } catch (RuntimeException e) {
      LOG.warn("DL4J could not delete its temp files: {}", e.toString());
    }
    try {
      FileSystem fs = dir.getFileSystem(sc.hadoopConfiguration());
      if (fs.exists(dir) && !fs.delete(dir, true)) {
        LOG.warn("could not delete DL4J export directory {}", dir);
      }
    } catch (IOException e) {
      LOG.warn("could not delete DL4J export directory {}: {}", dir, e.toString());
    }
  }

  /** Cuts one partition into shuffled minibatches, in the order sparktrain would visit them. */
  static final class ToMinibatches implements Function2<Integer, Iterator<ExampleBlock>, Iterator<DataSet>> {
    private static final long serialVersionUID = 1L;
    private final int batch;
    private final long seed;
    private final int epoch;
    private final boolean shuffle;
    private final int classes;
    private final AugmentationPipeline aug;

    ToMinibatches(int batch, long seed, int epoch, boolean shuffle, int classes, AugmentationPipeline aug) {
      this.batch = batch;
      this.seed = seed;
      this.epoch = epoch;
      this.shuffle = shuffle;
      this.classes = classes;
      this.aug = aug;
    }

    @Override
    public Iterator<DataSet> call(Integer partition, Iterator<ExampleBlock> blocks) {
      List<DataSet> out = new ArrayList<>();
      while (blocks.hasNext()) {
        ExampleBlock b = blocks.next();
        BatchPlan plan = BatchPlan.of(b.count() * aug.copies(), batch, seed, epoch, partition, shuffle);
        for (int s = 0; s < plan.batches(); s++) {
          out.add(Minibatches.dataSet(b, plan.batch(s), classes, aug, seed, epoch));
        }
      }
      return out.iterator();
    }
  }
}
