package dev.blindspot.defense;

/**
 * A backdoor defense on the defense axis. It runs on the quantized model (the deployed artifact) and
 * reports its decision with the scores and thresholds behind it. An exception thrown here becomes an
 * {@code error} row, never a "not detected". Implementations never modify the model or data they get.
 */
public interface Defense {
    String name();

    DefenseOutcome run(DefenseContext context);
}
