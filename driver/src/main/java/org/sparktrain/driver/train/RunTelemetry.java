package org.sparktrain.driver.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the averaging loop measured over a run, beside the rounds: serialised into metrics.json
 * under the keys of {@link #toMap} (names and meaning kept stable for dashboards and scripts).
 *
 * @param frequencyAuto {@code frequency_mode}: auto (true) or fixed
 * @param frequencyFinal {@code frequency_final}: k at the end
 * @param frequencyController {@code frequency_controller}: the controller's state, as text
 * @param overlap {@code overlap}: whether rounds overlapped
 * @param transport {@code transport}: stream or jobs
 * @param transportFallback {@code transport_fallback}: why rounds were not streamed as configured, or null
 * @param overlapGain {@code overlap_gain} (overlapped runs)
 * @param overlapDrains {@code overlap_drains}: rounds the pipeline was drained for a checkpoint
 * @param overlapRestarts {@code overlap_restarts}: replica restarts outside reset rounds
 * @param setupSeconds {@code setup_seconds}: round 0, before the clock
 * @param broadcastSeconds {@code driver_broadcast_seconds}
 * @param jobSeconds {@code driver_job_seconds}: time the driver waited for results
 * @param checkpointSeconds {@code checkpoint_seconds}: time training waited for checkpoints
 * @param excludedReplicas {@code excluded_replicas}: replicas left out of averages
 * @param rollbacks {@code rollbacks}
 * @param retriedTasks {@code retried_tasks}
 * @param learningRateFinal {@code learning_rate_final}: the rate after rollbacks, NaN when unchanged
 * @param resumedAfterRound {@code resumed_after_round}, -1 for a fresh run
 * @param secondsBeforeResume {@code training_seconds_before_resume}
 */
public record RunTelemetry(boolean frequencyAuto, int frequencyFinal, String frequencyController, boolean overlap,
                           String transport, String transportFallback, double overlapGain, int overlapDrains,
                           long overlapRestarts, double setupSeconds, double broadcastSeconds, double jobSeconds,
                           double checkpointSeconds, int excludedReplicas, int rollbacks, long retriedTasks,
                           double learningRateFinal, int resumedAfterRound, double secondsBeforeResume) {

  /** The metrics.json entries, in their traditional order; optional ones only when they apply. */
  public Map<String, Object> toMap() {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("frequency_mode", frequencyAuto ? "auto" : "fixed");
    info.put("frequency_final", frequencyFinal);
    info.put("frequency_controller", frequencyController);
    info.put("overlap", overlap);
    info.put("transport", transport);
    if (transportFallback != null) {
      info.put("transport_fallback", transportFallback);
    }
    if (overlap) {
      info.put("overlap_gain", overlapGain);
      info.put("overlap_drains", overlapDrains);
      info.put("overlap_restarts", overlapRestarts);
    }
    info.put("setup_seconds", setupSeconds);
    info.put("driver_broadcast_seconds", broadcastSeconds);
    info.put("driver_job_seconds", jobSeconds);
    info.put("checkpoint_seconds", checkpointSeconds);
    info.put("excluded_replicas", excludedReplicas);
    info.put("rollbacks", rollbacks);
    info.put("retried_tasks", retriedTasks);
    if (!Double.isNaN(learningRateFinal)) {
      info.put("learning_rate_final", learningRateFinal);
    }
    if (resumedAfterRound >= 0) {
      info.put("resumed_after_round", resumedAfterRound);
      info.put("training_seconds_before_resume", secondsBeforeResume);
    }
    return info;
  }

  /**
   * Retried tasks in {@code rounds}: a streamed task serves many rounds, so it counts once, not
   * once per round it served.
   */
  static long retriedTasks(List<RoundStats> rounds, boolean streamed) {
    return streamed
        ? rounds.stream().flatMap(r -> r.workers().stream()).filter(w -> w.attempt() > 0)
            .map(w -> w.partition() + "/" + w.attempt()).distinct().count()
        : rounds.stream().flatMap(r -> r.workers().stream()).filter(w -> w.attempt() > 0).count();
  }
}
