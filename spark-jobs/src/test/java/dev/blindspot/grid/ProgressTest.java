package dev.blindspot.grid;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {
    @Test
    void linesCountDoneAndErrorsAndEstimateTheRestOnlyMidPhase() {
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        StringWriter sink = new StringWriter();
        try (Progress p = new Progress("phase 2", "cells", 4, done::get, errors::get, Duration.ofHours(1),
                new PrintWriter(sink))) {
            assertTrue(p.line().startsWith("phase 2: 0/4 cells, 0 errors, "), p.line());
            assertFalse(p.line().contains("ETA"), "no estimate before the first cell ends");
            done.set(1);
            errors.set(1);
            assertTrue(p.line().startsWith("phase 2: 1/4 cells, 1 error, ") && p.line().contains("ETA ~"), p.line());
            done.set(4);
            assertFalse(p.line().contains("ETA"), p.line());
        }
        String[] printed = sink.toString().split("\n");
        assertEquals(1, printed.length, "an hour's interval prints nothing until the phase ends:\n" + sink);
        assertTrue(printed[0].startsWith("phase 2: 4/4 cells, 1 error, "), printed[0]);
    }

    @Test
    void durationsReadAsHoursMinutesSeconds() {
        assertEquals("42s", Progress.format(Duration.ofSeconds(42)));
        assertEquals("3m05s", Progress.format(Duration.ofSeconds(185)));
        assertEquals("2h07m", Progress.format(Duration.ofMinutes(127)));
    }
}
