package dev.blindspot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input stops before any Spark work, with one clear line, exit 2, and nothing written. */
class RunCommandTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Blindspot.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private Result runWith(String... sets) {
        String[] args = new String[3 + 2 * sets.length];
        args[0] = "run";
        args[1] = "--out=" + tmp.resolve("out");
        args[2] = "--set=grid.seeds=[1]";
        for (int i = 0; i < sets.length; i++) {
            args[3 + 2 * i] = "--set";
            args[4 + 2 * i] = sets[i];
        }
        return run(args);
    }

    private void assertUsageError(Result r, String... fragments) {
        assertEquals(Blindspot.EXIT_USAGE, r.code(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "stderr lacks '" + f + "': " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "a usage error must not print a stack trace: " + r.err());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing may be written");
    }

    @Test
    void unknownNamesListTheAllowedValues() {
        assertUsageError(runWith("grid.datasets=[imagenet]"), "grid.datasets", "imagenet", "synthetic");
        assertUsageError(runWith("grid.models=[vgg16]"), "grid.models", "compact-cnn");
        assertUsageError(runWith("grid.precisions=[int3]"), "grid.precisions", "fp32", "int8-dynamic", "int8", "int4-sim", "int4");
        assertUsageError(runWith("grid.defenses=[magic]"), "grid.defenses", "spectral-signatures");
    }

    @Test
    void emptyAxisAndReversedSeedRange() {
        assertUsageError(runWith("grid.defenses=[]"), "grid.defenses", "empty");
        assertUsageError(runWith("grid.seeds={from=10,to=3}"), "grid.seeds.to", "below from = 10");
    }

    @Test
    void badDefenseSettingsAreRejectedBeforeAnythingRuns() {
        assertUsageError(runWith("grid.defenses=[neural-cleanse]", "defenses.neural-cleanse.steps=0"),
                "defenses.neural-cleanse.steps", ">= 1");
        assertUsageError(runWith("grid.defenses=[strip]", "defenses.strip.frr=1.5"), "defenses.strip.frr");
        assertUsageError(runWith("grid.defenses=[activation-clustering]",
                "defenses.activation-clustering.silhouette-threshold=2"), "defenses.activation-clustering.silhouette-threshold");
        // The synthetic training set has 3000 images.
        assertUsageError(runWith("defender.clean-split=5000"), "defender.clean-split", "5000");
        assertUsageError(runWith("grid.defenses=[strip]", "defender.clean-split=1"), "defender.clean-split", "strip");
    }

    @Test
    void unreadableConfigNamesTheFile() throws IOException {
        assertUsageError(run("run", "--config", tmp.resolve("missing.conf").toString()), "missing.conf", "not a readable file");
        Path broken = Files.writeString(tmp.resolve("broken.conf"), "blindspot { grid = [ \n");
        assertUsageError(run("run", "--config", broken.toString()), "broken.conf");
        assertUsageError(run("run", "--set", "nonsense"), "--set nonsense", "KEY=VALUE");
    }

    @Test
    void aMalformedDatasetNamesTheFileAndWritesNothing() throws IOException {
        Path cifar = Files.createDirectories(tmp.resolve("cifar"));
        Files.write(cifar.resolve("data_batch_1.bin"), new byte[3073 * 2 + 1]);
        Files.write(cifar.resolve("test_batch.bin"), new byte[3073]);
        assertUsageError(runWith("grid.datasets=[cifar10]", "datasets.cifar10.path=\"" + cifar + "\""),
                "data_batch_1.bin", "multiple of 3073");
        assertUsageError(runWith("grid.datasets=[synthetic,gtsrb]", "datasets.gtsrb.path=\"" + cifar + "\""),
                "not the GTSRB layout");
    }

    @Test
    void anOutputDirectoryThatIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("results.txt"), "keep me");
        Result r = run("run", "--out", file.toString(), "--set", "grid.seeds=[1]");
        assertEquals(Blindspot.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("is a file"), r.err());
        assertEquals("keep me", Files.readString(file), "the file must be left as it was");
    }

    @Test
    void helpAndVersion() {
        Result help = run("run", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--config") && help.out().contains("--master") && help.out().contains("--set"));
        assertEquals(Blindspot.EXIT_USAGE, run("frobnicate").code());
    }
}
