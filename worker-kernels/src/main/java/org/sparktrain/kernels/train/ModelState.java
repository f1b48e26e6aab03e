package org.sparktrain.kernels.train;

import java.io.Serializable;

/**
 * What the driver broadcasts at the start of a round: the averaged parameters, optionally the
 * averaged updater state, and the counters DL4J's updaters depend on (Adam's bias correction).
 *
 * @param params flat parameter vector in DL4J's order
 * @param updaterState flat updater state, or null when not averaged or the optimiser has none
 * @param iteration iteration count each replica continues from
 * @param epoch epoch count
 */
public record ModelState(float[] params, float[] updaterState, int iteration, int epoch) implements Serializable {}
