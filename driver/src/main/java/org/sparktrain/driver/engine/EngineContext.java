package org.sparktrain.driver.engine;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.train.Checkpointer;
import org.sparktrain.driver.train.TrainingListener;
import org.sparktrain.driver.train.TrainingState;

/**
 * Everything an engine needs for one run.
 *
 * @param config the resolved config
 * @param model the model to train (initialised from its seed)
 * @param runId unique id of the run
 * @param sc the Spark context, or null for an engine that needs none
 * @param train the training split, in the form the engine asked for
 * @param listeners observers of training progress
 * @param resume the checkpointed state to continue from, or null
 * @param checkpointer told after every round (engines that cannot checkpoint ignore it)
 * @param initial parameters (and optimiser state) a fresh run starts from instead of the seeded
 *     initialisation (a warm start: {@code prune --model}, a nightly challenger), or null
 */
public record EngineContext(TrainConfig config, ModelSpec model, String runId, JavaSparkContext sc,
                            TrainingData train, List<TrainingListener> listeners, TrainingState resume,
                            Checkpointer checkpointer, org.sparktrain.driver.train.InitialState initial) {
  /** A run from the seeded initialisation or a checkpoint. */
  public EngineContext(TrainConfig config, ModelSpec model, String runId, JavaSparkContext sc,
                       TrainingData train, List<TrainingListener> listeners, TrainingState resume,
                       Checkpointer checkpointer) {
    this(config, model, runId, sc, train, listeners, resume, checkpointer, null);
  }

  /** A fresh run without checkpoints. */
  public EngineContext(TrainConfig config, ModelSpec model, String runId, JavaSparkContext sc,
                       TrainingData train, List<TrainingListener> listeners) {
    this(config, model, runId, sc, train, listeners, null, Checkpointer.NONE);
  }
}
