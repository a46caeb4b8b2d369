package dev.blindspot.grid;

import dev.blindspot.data.Normalization;
import dev.blindspot.model.Classifier;
import dev.blindspot.model.CompactCnn;
import dev.blindspot.model.TrainingConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelStoreTest {
    private static final Normalization NORM = new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f});
    private static Classifier model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() {
        model = new Classifier(new CompactCnn().build(4, new TrainingConfig(1, 32, 0.1, 0.9, 5e-4), 3), NORM);
    }

    private TrainingOutcome stored(ModelStore store) {
        return store.save("k1", model, new CellWork.Evaluation(0.7, 0.9, 0.91), 12.5);
    }

    @Test
    void aStoredModelIsFoundWithItsFiguresAndLoadsBitForBit() {
        ModelStore store = new ModelStore(tmp.resolve("models").toUri().toString());
        TrainingOutcome saved = stored(store);
        TrainingOutcome found = store.find("k1").orElseThrow();
        assertTrue(found.reused());
        assertEquals(saved.sha256(), found.sha256());
        assertEquals(0.7, found.cleanAcc());
        assertEquals(0.9, found.asr());
        assertEquals(0.91, found.asrAll());
        assertEquals(12.5, found.trainSeconds());
        assertEquals(model.network().params(), ModelStore.load(found, NORM).network().params());
        assertTrue(store.find("other").isEmpty());
    }

    @Test
    void aCorruptedModelIsNeverLoaded() throws IOException {
        ModelStore store = new ModelStore(tmp.resolve("models").toUri().toString());
        TrainingOutcome saved = stored(store);
        Path zip = tmp.resolve("models/k1.zip");
        byte[] bytes = Files.readAllBytes(zip);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(zip, bytes);
        Files.deleteIfExists(tmp.resolve("models/.k1.zip.crc")); // as a disk or a careless copy would leave it
        assertTrue(store.find("k1").isEmpty(), "a model failing its checksum must be retrained, not reused");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ModelStore.load(saved, NORM));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void aModelWithNonFiniteParametersIsNeverStored() throws IOException {
        ModelStore store = new ModelStore(tmp.resolve("models").toUri().toString());
        stored(store);
        Classifier diverged = model.copy();
        diverged.network().params().putScalar(7, Float.NaN); // one NaN parameter; after a divergence all are
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> store.save("nan", diverged, new CellWork.Evaluation(0.25, 1.0, 1.0), 3.0));
        assertTrue(e.getMessage().contains("model nan has non-finite parameters"), e.getMessage());
        try (var files = Files.list(tmp.resolve("models"))) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("nan")),
                    "nothing of a NaN model is written: it would be scored as a perfect backdoor");
        }
        assertTrue(store.find("k1").isPresent(), "the finite model stored before is untouched");
    }

    @Test
    void aModelWithoutItsMetadataIsNotStored() throws IOException {
        ModelStore store = new ModelStore(tmp.resolve("models").toUri().toString());
        stored(store);
        Files.delete(tmp.resolve("models/k1.properties"));
        assertTrue(store.find("k1").isEmpty(), "an interrupted write (model without metadata) counts as absent");
        assertFalse(Files.list(tmp.resolve("models")).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")),
                "no temporary file is left behind");
    }
}
