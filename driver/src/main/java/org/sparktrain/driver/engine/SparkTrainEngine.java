package org.sparktrain.driver.engine;

import org.sparktrain.driver.config.Choices;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.train.AveragingSettings;
import org.sparktrain.driver.train.GuardSettings;
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
    return new ParameterAveragingTrainer(settings(ctx.config()), GuardSettings.of(ctx.config().guard()), ctx.listeners())
        .fit(ctx.sc(), ctx.train().distributed(), ctx.model(), ctx.runId(), ctx.resume(), ctx.checkpointer(),
            ctx.initial());
  }

  /** The averaging settings a config describes. */
  public static AveragingSettings settings(TrainConfig c) {
    TrainConfig.Averaging a = c.averaging();
    FrequencyPolicy policy = a.auto()
        ? new FrequencyPolicy(true, a.k(), a.minFrequency(), a.maxFrequency(), a.targetSyncFraction(),
            a.maxRelativeSpread())
        : FrequencyPolicy.fixed(a.k());
    return AveragingSettings.builder()
        .epochs(c.training().epochs())
        .batchSize(c.training().batchSize())
        .frequency(policy)
        .averageUpdater(a.updaterState())
        .seed(c.seed())
        .shuffle(c.data().shuffle())
        .numClasses(c.data().numClasses())
        .augmentation(c.augmentation().pipeline())
        .overlap(a.overlap())
        .overlapGain(a.overlapGain())
        // overlapped rounds are one Spark job each: averaging.overlap implies transport jobs
        .stream(a.transportChoice() == Choices.Transport.STREAM && !a.overlap())
        .pruning(c.pruning().spec())
        .build();
  }
}
