package dev.blindspot.grid;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Sums the wall time of every finished task on the driver, to state Spark's overhead at the end of a run:
 * the run's wall time against the sum of task times spread over the slots (what a perfect scheduler with
 * no start-up, shuffle or driver work would need); and the driver's wall time per phase, to say where the
 * rest went.
 */
final class TaskClock extends SparkListener {
    private final AtomicLong taskMillis = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();
    private final Map<String, Double> phaseSeconds = new LinkedHashMap<>();
    private final LongSupplier nanoTime;
    private long phaseStart;

    TaskClock() {
        this(System::nanoTime);
    }

    /** @param nanoTime the driver's clock (tests pass their own) */
    TaskClock(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.phaseStart = nanoTime.getAsLong();
    }

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

    /** Ends the current phase of the driver's wall clock under this name (a phase named twice adds up). */
    void phaseDone(String phase) {
        long now = nanoTime.getAsLong();
        phaseSeconds.merge(phase, (now - phaseStart) / 1e9, Double::sum);
        phaseStart = now;
    }

    /** "wall by phase: resume 0.4 s, train 12.1 s, cells 15.0 s, parquet 2.2 s, summary 0.8 s". */
    String phasesLine() {
        StringJoiner j = new StringJoiner(", ", "wall by phase: ", "");
        phaseSeconds.forEach((phase, s) -> j.add(String.format(java.util.Locale.ROOT, "%s %.1f s", phase, s)));
        return j.toString();
    }

    /** "spark: 12 tasks, 230.0 task-s over 2 slots = 115.0 s of work in 123.4 s wall (93% busy)". */
    String line(double wallSeconds, int slots) {
        double ideal = taskSeconds() / slots;
        return String.format(java.util.Locale.ROOT, "spark: %d tasks, %.1f task-s over %d slots = %.1f s of work in "
                + "%.1f s wall (%.0f%% busy)", tasks(), taskSeconds(), slots, ideal, wallSeconds,
                wallSeconds > 0 ? 100 * ideal / wallSeconds : 0);
    }
}
