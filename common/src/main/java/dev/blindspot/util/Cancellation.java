package dev.blindspot.util;

import java.util.concurrent.CancellationException;

/**
 * Cooperative cancellation of long computations. ND4J's native calls do not answer {@link Thread#interrupt()},
 * so the loops that dominate a cell's time (training batches, inference batches, trigger-reversal steps,
 * fine-tuning batches) call {@link #check()} between native calls: a cell that exceeded its time limit stops
 * within one batch instead of running on beside the next cell.
 */
public final class Cancellation {
    private Cancellation() {
    }

    /** Throws if the current thread has been interrupted (and keeps its interrupt status). */
    public static void check() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("interrupted: the cell exceeded its time limit or its task was killed");
        }
    }
}
