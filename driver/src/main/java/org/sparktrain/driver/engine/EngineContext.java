package org.sparktrain.driver.engine;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.sparktrain.driver.config.TrainConfig;
import org.sparktrain.driver.train.TrainingListener;

/**
 * Everything an engine needs for one run.
 *
 * @param config the resolved config
 * @param network the network to train, initialised from its seed
 * @param runId unique id of the run
 * @param sc the Spark context, or null for an engine that needs none
 * @param train the training split, in the form the engine asked for
 * @param listeners observers of training progress
 */
public record EngineContext(TrainConfig config, MultiLayerConfiguration network, String runId, JavaSparkContext sc,
                            TrainingData train, List<TrainingListener> listeners) {}
