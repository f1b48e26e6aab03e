package org.sparktrain.driver.engine;

import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.train.AveragingSettings;
import org.sparktrain.driver.train.FrequencyPolicy;
import org.sparktrain.driver.train.ParameterAveragingTrainer;
import org.sparktrain.driver.train.TrainingResult;

/** sparktrain's own engine: persistent replicas and cheap synchronous averaging rounds. */
public final class SparkTrainEngine implements TrainingEngine {
  @Override
  public boolean checkpoints() {
    return true;
  }

  @Override
  public TrainingResult train(EngineContext ctx) {
    return new ParameterAveragingTrainer(settings(ctx.config()), ctx.config().guard().settings(), ctx.listeners())
        .fit(ctx.sc(), ctx.train().distributed(), ctx.network(), ctx.runId(), ctx.resume(), ctx.checkpointer());
  }

  /** The averaging settings a config describes. */
  public static AveragingSettings settings(TrainConfig c) {
    TrainConfig.Averaging a = c.averaging();
    FrequencyPolicy policy = a.auto()
        ? new FrequencyPolicy(true, a.k(), a.minFrequency(), a.maxFrequency(), a.targetSyncFraction(),
            a.maxRelativeSpread())
        : FrequencyPolicy.fixed(a.k());
    return new AveragingSettings(c.training().epochs(), c.training().batchSize(), policy, a.updaterState(), c.seed(),
        c.data().shuffle(), c.data().numClasses(), c.augmentation().pipeline(), a.overlap(), a.overlapGain(),
        // overlapped rounds are one Spark job each: averaging.overlap implies transport jobs
        "stream".equals(a.transport()) && !a.overlap());
  }
}
