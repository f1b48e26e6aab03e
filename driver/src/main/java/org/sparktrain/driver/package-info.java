/** Spark-driver side of sparktrain: config, data partitioning, the averaging loop, outputs. */
package org.sparktrain.driver;
