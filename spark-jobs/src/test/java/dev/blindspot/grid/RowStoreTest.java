package dev.blindspot.grid;

import dev.blindspot.result.CellResult;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowStoreTest {
    @Test
    void aRowRoundTripsThroughItsJsonWithNaNsNullsAndMaps() throws Exception {
        CellResult r = new CellResult();
        r.setCellId("c1");
        r.setStatus("error");
        r.setError("boom");
        r.setSeed(7);
        r.setCleanAcc(0.5);
        r.setAsr(Double.NaN);
        r.setDetected(null);
        r.setScores(Map.of("a", 1.5, "b", Double.NaN));
        r.setThresholds(Map.of());
        CellResult back = RowStore.parse(RowStore.render(r));
        assertEquals("c1", back.getCellId());
        assertEquals(7, back.getSeed());
        assertEquals(0.5, back.getCleanAcc());
        assertTrue(Double.isNaN(back.getAsr()));
        assertNull(back.getDetected(), "an error row stays undecided, not false");
        assertEquals(1.5, back.getScores().get("a"));
        assertTrue(Double.isNaN(back.getScores().get("b")));
        assertEquals(RowStore.render(r), RowStore.render(back));
    }

    @Test
    void aRowFromAnIncompatibleVersionDoesNotParse() {
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> RowStore.parse("{\"cellId\":\"c1\",\"aFieldNoVersionHas\":3}"));
    }
}
