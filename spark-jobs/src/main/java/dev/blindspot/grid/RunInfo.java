package dev.blindspot.grid;

/**
 * Identity of one run, fixed on the driver and shipped to every task.
 *
 * @param runId        UTC start time and config hash
 * @param codeVersion  git commit of the build, with "-dirty" when the tree had uncommitted changes
 * @param sparkVersion the Spark version the driver runs
 * @param outDir       the run's output directory (any Hadoop file system URI)
 */
public record RunInfo(String runId, String codeVersion, String sparkVersion, String outDir)
        implements java.io.Serializable {

    /** The same run, once Spark has started and its version is known. */
    public RunInfo withSparkVersion(String version) {
        return new RunInfo(runId, codeVersion, version, outDir);
    }

    public String modelDir() {
        return outDir + "/models";
    }

    public String preparedDir() {
        return outDir + "/prepared";
    }

    public String cellsDir() {
        return outDir + "/cells";
    }
}
