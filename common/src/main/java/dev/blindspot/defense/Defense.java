package dev.blindspot.defense;

/**
 * A backdoor defense on the defense axis. It runs on the quantized model (the deployed artifact) and
 * reports its decision with the scores and thresholds behind it. An exception thrown here becomes an
 * {@code error} row, never a "not detected". Implementations never modify the model or data they get.
 */
public interface Defense {
    String name();

    DefenseOutcome run(DefenseContext context);

    /** The name of the score a reader looks at first (in {@link DefenseOutcome#scores()}); the report averages it. */
    String mainScore();

    /** Whether it reads the model's penultimate features ({@code Architecture.FEATURES}); checked before a grid runs. */
    default boolean readsFeatures() {
        return false;
    }

    /** The fewest clean images of the defender's split it can work with; checked before a grid runs. */
    default int minimumCleanImages() {
        return 0;
    }

    /**
     * Expected wall time of one cell relative to a feature-statistics defense such as Spectral Signatures
     * (= 1), for a model with {@code numClasses} labels; the grid runs the costliest cells first so that one
     * slow defense does not leave the cluster idle at the end. Only the order depends on it, never a result.
     */
    default double relativeCost(int numClasses) {
        return 1;
    }
}
