package org.sparktrain.driver.engine;

import org.sparktrain.driver.config.Choices;
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

  /** The engine a config names (its {@code engine} spelling); a ConfigException for any other name. */
  static TrainingEngine named(String name) {
    return of(Choices.parse(Choices.Engine.class, name, "engine"));
  }

  /** The engine of a choice. */
  static TrainingEngine of(Choices.Engine engine) {
    return switch (engine) {
      case SPARKTRAIN -> new SparkTrainEngine();
      case DL4J_SPARK -> new Dl4jSparkEngine();
      case SINGLE -> new SingleProcessEngine();
    };
  }
}
