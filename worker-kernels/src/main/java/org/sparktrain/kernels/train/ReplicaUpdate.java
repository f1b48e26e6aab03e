package org.sparktrain.kernels.train;

import java.io.Serializable;

/**
 * What one replica returns after a round.
 *
 * @param partition the data partition it trained on
 * @param params parameters after the round
 * @param updaterState updater state after the round, or null when not requested
 * @param examples examples trained on (the averaging weight)
 * @param batches minibatches trained
 * @param lossSum sum over minibatches of (minibatch loss x minibatch size)
 * @param computeSeconds time in DL4J's fit
 * @param dataSeconds time assembling minibatches
 * @param loadSeconds time fetching the broadcast state and loading it into the replica
 * @param deltaSquaredNorm squared L2 distance between the parameters after and before the round
 * @param worker executor id / host / pid that ran it
 * @param device what the replica ran on: "cpu", "gpu N", or a CPU run that was assigned a GPU
 * @param attempt Spark's attempt number of the task that produced it (0 = first attempt)
 * @param start how the replica began the round ({@code reset}, {@code continue}, {@code correct}, or
 *     {@code throwaway} for a late retry on a replica that had moved on), or null when not reported
 */
public record ReplicaUpdate(int partition, float[] params, float[] updaterState, long examples, int batches,
                            double lossSum, double computeSeconds, double dataSeconds, double loadSeconds,
                            double deltaSquaredNorm, String worker, String device, int attempt, String start)
    implements Serializable {
  /** An update from a given task attempt. */
  public ReplicaUpdate(int partition, float[] params, float[] updaterState, long examples, int batches,
                       double lossSum, double computeSeconds, double dataSeconds, double loadSeconds,
                       double deltaSquaredNorm, String worker, String device, int attempt) {
    this(partition, params, updaterState, examples, batches, lossSum, computeSeconds, dataSeconds, loadSeconds,
        deltaSquaredNorm, worker, device, attempt, null);
  }

  /** A first-attempt update. */
  public ReplicaUpdate(int partition, float[] params, float[] updaterState, long examples, int batches,
                       double lossSum, double computeSeconds, double dataSeconds, double loadSeconds,
                       double deltaSquaredNorm, String worker, String device) {
    this(partition, params, updaterState, examples, batches, lossSum, computeSeconds, dataSeconds, loadSeconds,
        deltaSquaredNorm, worker, device, 0);
  }

  /** Mean training loss over the round's examples; NaN when the replica trained none. */
  public double meanLoss() {
    return examples > 0 ? lossSum / examples : Double.NaN;
  }

  /** The same update, marked as produced by task attempt {@code n}. */
  public ReplicaUpdate withAttempt(int n) {
    return new ReplicaUpdate(partition, params, updaterState, examples, batches, lossSum, computeSeconds, dataSeconds,
        loadSeconds, deltaSquaredNorm, worker, device, n, start);
  }

  /** The same update, marked with how the replica began the round. */
  public ReplicaUpdate withStart(String how) {
    return new ReplicaUpdate(partition, params, updaterState, examples, batches, lossSum, computeSeconds, dataSeconds,
        loadSeconds, deltaSquaredNorm, worker, device, attempt, how);
  }
}
