package dev.blindspot.result;

/**
 * One row of the results: one cell of the grid (dataset × model × attack × seed × precision × defense).
 * A mutable JavaBean because Spark's bean encoder writes it to Parquet as it is; the Parquet schema is
 * derived from these properties. Metrics that do not apply are NaN; a defense that failed leaves
 * {@code detected} null with status {@code error}, never "not detected".
 */
public class CellResult implements java.io.Serializable {
    private String runId;
    private String cellId;
    private String configHash;
    private String codeVersion;
    private String dataset;
    private String model;
    private String attack;
    private long seed;
    private String precision;
    private String precisionSpec;
    private String defense;
    private String training;
    private String trainingMode;
    private String status;
    private String error;
    private int trainSize;
    private int poisoned;
    private int testSize;
    private int cleanSplitSize;
    private double cleanAccFp32;
    private double asrFp32;
    private double asrAllFp32;
    private double cleanAcc;
    private double asr;
    private double asrAll;
    private Boolean detected;
    private Boolean targetIdentified;
    private java.util.Map<String, Double> scores;
    private java.util.Map<String, Double> thresholds;
    private double trainSeconds;
    private double quantizeSeconds;
    private double evalSeconds;
    private double defenseSeconds;
    private String host;
    private String startedAt;
    private String javaVersion;
    private String nd4jBackend;
    private String sparkVersion;

    /** Run identifier (UTC start time and config hash). */
    public String getRunId() {
        return runId;
    }

    public void setRunId(String runId) {
        this.runId = runId;
    }

    /** Stable identity of the cell: hash of its axes and settings. */
    public String getCellId() {
        return cellId;
    }

    public void setCellId(String cellId) {
        this.cellId = cellId;
    }

    /** Hash of the resolved grid config. */
    public String getConfigHash() {
        return configHash;
    }

    public void setConfigHash(String configHash) {
        this.configHash = configHash;
    }

    /** Git commit of the code (with -dirty when the tree had changes). */
    public String getCodeVersion() {
        return codeVersion;
    }

    public void setCodeVersion(String codeVersion) {
        this.codeVersion = codeVersion;
    }

    public String getDataset() {
        return dataset;
    }

    public void setDataset(String dataset) {
        this.dataset = dataset;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    /** Canonical attack spec. */
    public String getAttack() {
        return attack;
    }

    public void setAttack(String attack) {
        this.attack = attack;
    }

    /** The cell's master seed. */
    public long getSeed() {
        return seed;
    }

    public void setSeed(long seed) {
        this.seed = seed;
    }

    public String getPrecision() {
        return precision;
    }

    public void setPrecision(String precision) {
        this.precision = precision;
    }

    /** The scheme's full specification. */
    public String getPrecisionSpec() {
        return precisionSpec;
    }

    public void setPrecisionSpec(String precisionSpec) {
        this.precisionSpec = precisionSpec;
    }

    public String getDefense() {
        return defense;
    }

    public void setDefense(String defense) {
        this.defense = defense;
    }

    /** Canonical training spec. */
    public String getTraining() {
        return training;
    }

    public void setTraining(String training) {
        this.training = training;
    }

    /** How the model was trained: {@code local}, or {@code distributed(workers=N,averaging=F)} (parameter averaging). */
    public String getTrainingMode() {
        return trainingMode;
    }

    public void setTrainingMode(String trainingMode) {
        this.trainingMode = trainingMode;
    }

    /** Ok or error. */
    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    /** Error text, null when ok. */
    public String getError() {
        return error;
    }

    public void setError(String error) {
        this.error = error;
    }

    /** Training images the model saw (poisoned set). */
    public int getTrainSize() {
        return trainSize;
    }

    public void setTrainSize(int trainSize) {
        this.trainSize = trainSize;
    }

    /** Poisoned training images. */
    public int getPoisoned() {
        return poisoned;
    }

    public void setPoisoned(int poisoned) {
        this.poisoned = poisoned;
    }

    public int getTestSize() {
        return testSize;
    }

    public void setTestSize(int testSize) {
        this.testSize = testSize;
    }

    /** Defender's clean held-out images. */
    public int getCleanSplitSize() {
        return cleanSplitSize;
    }

    public void setCleanSplitSize(int cleanSplitSize) {
        this.cleanSplitSize = cleanSplitSize;
    }

    public double getCleanAccFp32() {
        return cleanAccFp32;
    }

    public void setCleanAccFp32(double cleanAccFp32) {
        this.cleanAccFp32 = cleanAccFp32;
    }

    /** ASR over non-target test images, FP32 model. */
    public double getAsrFp32() {
        return asrFp32;
    }

    public void setAsrFp32(double asrFp32) {
        this.asrFp32 = asrFp32;
    }

    /** ASR over all test images, FP32 model. */
    public double getAsrAllFp32() {
        return asrAllFp32;
    }

    public void setAsrAllFp32(double asrAllFp32) {
        this.asrAllFp32 = asrAllFp32;
    }

    /** Clean accuracy of the quantized model. */
    public double getCleanAcc() {
        return cleanAcc;
    }

    public void setCleanAcc(double cleanAcc) {
        this.cleanAcc = cleanAcc;
    }

    public double getAsr() {
        return asr;
    }

    public void setAsr(double asr) {
        this.asr = asr;
    }

    public double getAsrAll() {
        return asrAll;
    }

    public void setAsrAll(double asrAll) {
        this.asrAll = asrAll;
    }

    /** The defense's decision; null when the defense errored. */
    public Boolean getDetected() {
        return detected;
    }

    public void setDetected(Boolean detected) {
        this.detected = detected;
    }

    /** Whether the label the defense names is the target; null where it names none. */
    public Boolean getTargetIdentified() {
        return targetIdentified;
    }

    public void setTargetIdentified(Boolean targetIdentified) {
        this.targetIdentified = targetIdentified;
    }

    /** Continuous scores behind the decision. */
    public java.util.Map<String, Double> getScores() {
        return scores;
    }

    public void setScores(java.util.Map<String, Double> scores) {
        this.scores = scores;
    }

    /** Every threshold the decision used. */
    public java.util.Map<String, Double> getThresholds() {
        return thresholds;
    }

    public void setThresholds(java.util.Map<String, Double> thresholds) {
        this.thresholds = thresholds;
    }

    /** Wall time of the model's training (phase 1). */
    public double getTrainSeconds() {
        return trainSeconds;
    }

    public void setTrainSeconds(double trainSeconds) {
        this.trainSeconds = trainSeconds;
    }

    public double getQuantizeSeconds() {
        return quantizeSeconds;
    }

    public void setQuantizeSeconds(double quantizeSeconds) {
        this.quantizeSeconds = quantizeSeconds;
    }

    /** Clean accuracy and ASR of the quantized model. */
    public double getEvalSeconds() {
        return evalSeconds;
    }

    public void setEvalSeconds(double evalSeconds) {
        this.evalSeconds = evalSeconds;
    }

    public double getDefenseSeconds() {
        return defenseSeconds;
    }

    public void setDefenseSeconds(double defenseSeconds) {
        this.defenseSeconds = defenseSeconds;
    }

    /** Executor host. */
    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    /** UTC time the cell started, ISO-8601. */
    public String getStartedAt() {
        return startedAt;
    }

    public void setStartedAt(String startedAt) {
        this.startedAt = startedAt;
    }

    public String getJavaVersion() {
        return javaVersion;
    }

    public void setJavaVersion(String javaVersion) {
        this.javaVersion = javaVersion;
    }

    /** ND4J backend and kernel status. */
    public String getNd4jBackend() {
        return nd4jBackend;
    }

    public void setNd4jBackend(String nd4jBackend) {
        this.nd4jBackend = nd4jBackend;
    }

    public String getSparkVersion() {
        return sparkVersion;
    }

    public void setSparkVersion(String sparkVersion) {
        this.sparkVersion = sparkVersion;
    }
}
