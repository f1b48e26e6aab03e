package org.sparktrain.driver.engine;

import org.sparktrain.driver.train.TrainingResult;

/** Trains a network on a training split. */
public interface TrainingEngine {
  /** Trains and returns the final network with its statistics. */
  TrainingResult train(EngineContext ctx);

  /** Whether the engine runs on Spark (false: one local process, data loaded on the driver). */
  default boolean usesSpark() {
    return true;
  }

  /** Whether the engine writes checkpoints and can resume from them. */
  default boolean checkpoints() {
    return false;
  }

  /** The engine a config names. */
  static TrainingEngine named(String name) {
    return switch (name) {
      case "sparktrain" -> new SparkTrainEngine();
      case "dl4j-spark" -> new Dl4jSparkEngine();
      case "single" -> new SingleProcessEngine();
      default -> throw new IllegalArgumentException("engine '" + name + "' is not known; allowed: "
          + org.sparktrain.driver.config.TrainConfig.ENGINES);
    };
  }
}
