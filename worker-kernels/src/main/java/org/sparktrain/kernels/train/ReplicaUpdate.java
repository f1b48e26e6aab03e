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
  /** A builder: the update has too many fields of the same types to construct positionally. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ReplicaUpdate}; unset numbers are 0, worker and device "?" (a first attempt). */
  public static final class Builder {
    private int partition;
    private float[] params;
    private float[] updaterState;
    private long examples;
    private int batches;
    private double lossSum;
    private double computeSeconds;
    private double dataSeconds;
    private double loadSeconds;
    private double deltaSquaredNorm;
    private String worker = "?";
    private String device = "?";
    private int attempt;
    private String start;

    private Builder() {}

    public Builder partition(int v) {
      partition = v;
      return this;
    }

    public Builder params(float[] v) {
      params = v;
      return this;
    }

    public Builder updaterState(float[] v) {
      updaterState = v;
      return this;
    }

    public Builder examples(long v) {
      examples = v;
      return this;
    }

    public Builder batches(int v) {
      batches = v;
      return this;
    }

    public Builder lossSum(double v) {
      lossSum = v;
      return this;
    }

    public Builder computeSeconds(double v) {
      computeSeconds = v;
      return this;
    }

    public Builder dataSeconds(double v) {
      dataSeconds = v;
      return this;
    }

    public Builder loadSeconds(double v) {
      loadSeconds = v;
      return this;
    }

    public Builder deltaSquaredNorm(double v) {
      deltaSquaredNorm = v;
      return this;
    }

    public Builder worker(String v) {
      worker = v;
      return this;
    }

    public Builder device(String v) {
      device = v;
      return this;
    }

    public Builder attempt(int v) {
      attempt = v;
      return this;
    }

    public Builder start(String v) {
      start = v;
      return this;
    }

    public ReplicaUpdate build() {
      if (params == null) {
        throw new IllegalStateException("a replica update needs its parameters");
      }
      return new ReplicaUpdate(partition, params, updaterState, examples, batches, lossSum, computeSeconds,
          dataSeconds, loadSeconds, deltaSquaredNorm, worker, device, attempt, start);
    }
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
