package org.sparktrain.driver.train;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Which tasks are running where, from Spark's listener events: lets a round time-out name the
 * stage, partition and executor that did not finish.
 */
final class RunningTasks extends SparkListener {
  /** One running task. */
  record Task(int stage, int partition, int attempt, String executor, String host) {
    @Override
    public String toString() {
      return "partition " + partition + " (attempt " + attempt + ") on executor " + executor + " at " + host;
    }
  }

  private final Map<Long, Task> running = new ConcurrentHashMap<>();

  @Override
  public void onTaskStart(SparkListenerTaskStart e) {
    TaskInfo t = e.taskInfo();
    running.put(t.taskId(), new Task(e.stageId(), t.index(), t.attemptNumber(), t.executorId(), t.host()));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    running.remove(e.taskInfo().taskId());
  }

  /** The tasks of the given stages that have started and not ended, by partition. */
  List<Task> runningIn(Collection<Integer> stages) {
    return running.values().stream().filter(t -> stages.contains(t.stage()))
        .sorted(java.util.Comparator.comparingInt(Task::partition)).toList();
  }
}
