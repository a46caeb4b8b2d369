package dev.blindspot.grid;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Sums the wall time of every finished task on the driver, to state Spark's overhead at the end of a run:
 * the run's wall time against the sum of task times spread over the slots (what a perfect scheduler with
 * no start-up, shuffle or driver work would need).
 */
final class TaskClock extends SparkListener {
    private final AtomicLong taskMillis = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskInfo() != null) {
            taskMillis.addAndGet(end.taskInfo().duration());
            tasks.incrementAndGet();
        }
    }

    long tasks() {
        return tasks.get();
    }

    double taskSeconds() {
        return taskMillis.get() / 1e3;
    }

    /** "spark: 12 tasks, 230.0 task-s over 2 slots = 115.0 s of work in 123.4 s wall (93% busy)". */
    String line(double wallSeconds, int slots) {
        double ideal = taskSeconds() / slots;
        return String.format(java.util.Locale.ROOT, "spark: %d tasks, %.1f task-s over %d slots = %.1f s of work in "
                + "%.1f s wall (%.0f%% busy)", tasks(), taskSeconds(), slots, ideal, wallSeconds,
                wallSeconds > 0 ? 100 * ideal / wallSeconds : 0);
    }
}
