package dev.blindspot;

import java.nio.file.Files;
import java.nio.file.Path;

/** The read-only shared folder beside the project (golden vectors, real dataset subsets). */
public final class SharedData {
    private SharedData() {
    }

    /** {@code ../shared/<relative>}, failing clearly when the shared folder is not where it should be. */
    public static Path path(String relative) {
        String root = System.getProperty("blindspot-test.shared", "../shared");
        Path p = Path.of(root).resolve(relative).normalize();
        if (!Files.exists(p)) {
            throw new IllegalStateException("shared test data not found: " + p.toAbsolutePath()
                    + " (the project expects ../shared beside its root)");
        }
        return p;
    }
}
