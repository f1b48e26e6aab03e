package org.sparktrain.driver.train;

/**
 * Streamed rounds ({@code averaging.transport: stream}): the tasks of one long job train every
 * round, taking it from the driver's plugin endpoint ({@link RoundStream}); no broadcast, no job
 * per round.
 */
final class StreamedRounds extends RoundTransport {
  private RoundStream stream;

  StreamedRounds(Rounds r) {
    super(r);
  }

  @Override
  String name() {
    return "stream";
  }

  @Override
  void start(PendingRound zero) {
    // round 0 is the stream's first round: its job and tasks start before the clock too
    stream = RoundStream.start(sc, data, runId, spec, withUpdater, augmentation, zero);
    awaitStart(zero);
  }

  @Override
  void submit(PendingRound f, double previousMedianLoss) {
    stream.post(f);
  }

  @Override
  ParameterSum collect(PendingRound f, double maxLossRatio) throws Exception {
    return DivergenceGuard.screenAndSum(f.stream.await(f), maxLossRatio);
  }

  @Override
  String stuck(PendingRound f) {
    return "partitions " + f.stream.missing() + " had not returned the round; " + super.stuck(f);
  }

  @Override
  public void close() {
    try {
      if (stream != null) {
        stream.close();
      }
    } finally {
      super.close();
    }
  }
}
