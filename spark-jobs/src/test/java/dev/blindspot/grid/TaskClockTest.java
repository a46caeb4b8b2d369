package dev.blindspot.grid;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TaskClockTest {
    @Test
    void phasesAreListedInOrderAndAPhaseNamedTwiceAddsUp() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        TaskClock clock = new TaskClock(now::get);
        now.addAndGet(1_200_000_000L);
        clock.phaseDone("train");
        now.addAndGet(3_040_000_000L);
        clock.phaseDone("cells");
        now.addAndGet(500_000_000L);
        clock.phaseDone("train");
        assertEquals("wall by phase: train 1.7 s, cells 3.0 s", clock.phasesLine());
    }
}
