package dev.blindspot.grid;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The driver's progress line for one phase, printed every {@code run.progress-interval} (never more often, so
 * a sweep of thousands of cells does not flood the log) and once more when the phase ends:
 * {@code phase 2: 37/120 cells, 1 error, 12m04s elapsed, ETA ~27m}. The counts come from Spark accumulators,
 * which the driver sees as each task finishes.
 */
final class Progress implements AutoCloseable {
    private final String phase;
    private final String unit;
    private final long total;
    private final LongSupplier done;
    private final LongSupplier errors;
    private final PrintWriter out;
    private final long start = System.nanoTime();
    private final ScheduledExecutorService timer;

    Progress(String phase, String unit, long total, LongSupplier done, LongSupplier errors, Duration interval,
             PrintWriter out) {
        this.phase = phase;
        this.unit = unit;
        this.total = total;
        this.done = done;
        this.errors = errors;
        this.out = out;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "blindspot-progress");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        timer.scheduleAtFixedRate(this::print, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The line as it reads now. */
    String line() {
        long d = done.getAsLong();
        long e = errors.getAsLong();
        long elapsed = System.nanoTime() - start;
        StringBuilder b = new StringBuilder(phase).append(": ").append(d).append('/').append(total).append(' ')
                .append(unit).append(", ").append(e).append(e == 1 ? " error" : " errors").append(", ")
                .append(format(Duration.ofNanos(elapsed))).append(" elapsed");
        if (d > 0 && d < total) {
            // Cells run longest first, so this extrapolation errs on the long side early in a phase.
            b.append(", ETA ~").append(format(Duration.ofNanos(elapsed / d * (total - d))));
        }
        return b.toString();
    }

    private synchronized void print() {
        out.println(line());
        out.flush();
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        if (s >= 3600) {
            return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        timer.shutdownNow();
        print();
    }
}
