/**
 * Executor-side task code: what a Spark task runs for a round (one job per round) or for a whole
 * stream of rounds, and the bytes streamed rounds travel as. Depends on worker-kernels only.
 */
package org.sparktrain.driver.task;
