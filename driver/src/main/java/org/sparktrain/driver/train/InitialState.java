package org.sparktrain.driver.train;

/**
 * Where a fresh run starts instead of the seeded initialisation: a trained model's parameters and,
 * optionally, its optimiser state (a nightly challenger warm-started from the champion continues
 * Adam's moments and bias-correction step instead of restarting them).
 *
 * @param params flat parameters in DL4J's order
 * @param updater flat updater state in DL4J's order, or null to start the optimiser fresh
 * @param iteration DL4J's iteration counter to continue from (0 with a fresh optimiser)
 */
public record InitialState(float[] params, float[] updater, int iteration) {
  /** Parameters only; the optimiser starts fresh. */
  public static InitialState params(float[] params) {
    return new InitialState(params, null, 0);
  }
}
