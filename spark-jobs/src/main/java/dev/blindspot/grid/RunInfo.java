package dev.blindspot.grid;

/**
 * Identity of one run, fixed on the driver and shipped to every task.
 *
 * @param runId        UTC start time and config hash
 * @param codeVersion  git commit of the build, with "-dirty" when the tree had uncommitted changes
 * @param sparkVersion the Spark version the driver runs
 * @param outDir       the run's output directory (any Hadoop file system URI)
 * @param modelDir     the model store: {@code <outDir>/models} unless runs share one ({@code run.models})
 */
public record RunInfo(String runId, String codeVersion, String sparkVersion, String outDir, String modelDir)
        implements java.io.Serializable {

    /** A run whose models live in its own output directory. */
    public RunInfo(String runId, String codeVersion, String sparkVersion, String outDir) {
        this(runId, codeVersion, sparkVersion, outDir, outDir + "/models");
    }

    /** The same run, once Spark has started and its version is known. */
    public RunInfo withSparkVersion(String version) {
        return new RunInfo(runId, codeVersion, version, outDir, modelDir);
    }

    public String preparedDir() {
        return outDir + "/prepared";
    }

    /** One JSON file per finished cell, the source of truth a rerun resumes from ({@link RowStore}). */
    public String rowsDir() {
        return outDir + "/rows";
    }

    public String cellsDir() {
        return outDir + "/cells";
    }
}
