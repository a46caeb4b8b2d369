package dev.blindspot.report;

/**
 * One line of the report: the cells of one (dataset, model, attack, precision, defense) aggregated over
 * seeds. A JavaBean so Spark writes it as Parquet and CSV as it is. Rates and means are over the {@code ok}
 * cells only; {@code error} cells are counted in {@code errors} and {@code missing} counts the grid's seeds
 * with no row at all. A statistic with too few cells to exist (a rate of 0 cells, an sd of 1) is NaN.
 */
public class GroupSummary implements java.io.Serializable {
    /** Column order of the exports: the group, then the decision, then the figures. */
    public static final java.util.List<String> COLUMNS = java.util.List.of("dataset", "model", "attack", "precision",
            "defense", "seeds", "errors", "missing", "detected", "detectionRate", "detectionCiLow", "detectionCiHigh",
            "targetNamed", "targetIdentifiedRate", "cleanAccFp32Mean", "cleanAccMean", "cleanAccSd", "asrFp32Mean",
            "asrMean", "asrSd", "asrAllMean", "asrAllSd", "mainScore", "mainScoreMean", "defenseSecondsMean");

    private String dataset;
    private String model;
    private String attack;
    private String precision;
    private String defense;
    private int seeds;
    private int errors;
    private int missing;
    private int detected;
    private double detectionRate;
    private double detectionCiLow;
    private double detectionCiHigh;
    private int targetNamed;
    private double targetIdentifiedRate;
    private double cleanAccMean;
    private double cleanAccSd;
    private double asrMean;
    private double asrSd;
    private double asrAllMean;
    private double asrAllSd;
    private double cleanAccFp32Mean;
    private double asrFp32Mean;
    private String mainScore;
    private double mainScoreMean;
    private double defenseSecondsMean;

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

    public String getAttack() {
        return attack;
    }

    public void setAttack(String attack) {
        this.attack = attack;
    }

    public String getPrecision() {
        return precision;
    }

    public void setPrecision(String precision) {
        this.precision = precision;
    }

    public String getDefense() {
        return defense;
    }

    public void setDefense(String defense) {
        this.defense = defense;
    }

    /** Number of {@code ok} cells (one per seed): the n of every rate and mean. */
    public int getSeeds() {
        return seeds;
    }

    public void setSeeds(int seeds) {
        this.seeds = seeds;
    }

    public int getErrors() {
        return errors;
    }

    public void setErrors(int errors) {
        this.errors = errors;
    }

    public int getMissing() {
        return missing;
    }

    public void setMissing(int missing) {
        this.missing = missing;
    }

    public int getDetected() {
        return detected;
    }

    public void setDetected(int detected) {
        this.detected = detected;
    }

    public double getDetectionRate() {
        return detectionRate;
    }

    public void setDetectionRate(double detectionRate) {
        this.detectionRate = detectionRate;
    }

    /** Lower end of the 95% Wilson score interval of the detection rate. */
    public double getDetectionCiLow() {
        return detectionCiLow;
    }

    public void setDetectionCiLow(double detectionCiLow) {
        this.detectionCiLow = detectionCiLow;
    }

    public double getDetectionCiHigh() {
        return detectionCiHigh;
    }

    public void setDetectionCiHigh(double detectionCiHigh) {
        this.detectionCiHigh = detectionCiHigh;
    }

    /** Cells where the defense named a target label at all (0 for defenses that never do). */
    public int getTargetNamed() {
        return targetNamed;
    }

    public void setTargetNamed(int targetNamed) {
        this.targetNamed = targetNamed;
    }

    /** Share of the cells that named a label where it was the attack's target; NaN when none named one. */
    public double getTargetIdentifiedRate() {
        return targetIdentifiedRate;
    }

    public void setTargetIdentifiedRate(double targetIdentifiedRate) {
        this.targetIdentifiedRate = targetIdentifiedRate;
    }

    public double getCleanAccMean() {
        return cleanAccMean;
    }

    public void setCleanAccMean(double cleanAccMean) {
        this.cleanAccMean = cleanAccMean;
    }

    public double getCleanAccSd() {
        return cleanAccSd;
    }

    public void setCleanAccSd(double cleanAccSd) {
        this.cleanAccSd = cleanAccSd;
    }

    public double getAsrMean() {
        return asrMean;
    }

    public void setAsrMean(double asrMean) {
        this.asrMean = asrMean;
    }

    public double getAsrSd() {
        return asrSd;
    }

    public void setAsrSd(double asrSd) {
        this.asrSd = asrSd;
    }

    public double getAsrAllMean() {
        return asrAllMean;
    }

    public void setAsrAllMean(double asrAllMean) {
        this.asrAllMean = asrAllMean;
    }

    public double getAsrAllSd() {
        return asrAllSd;
    }

    public void setAsrAllSd(double asrAllSd) {
        this.asrAllSd = asrAllSd;
    }

    public double getCleanAccFp32Mean() {
        return cleanAccFp32Mean;
    }

    public void setCleanAccFp32Mean(double cleanAccFp32Mean) {
        this.cleanAccFp32Mean = cleanAccFp32Mean;
    }

    public double getAsrFp32Mean() {
        return asrFp32Mean;
    }

    public void setAsrFp32Mean(double asrFp32Mean) {
        this.asrFp32Mean = asrFp32Mean;
    }

    /** Name of the defense's main score (the key in the cells' {@code scores}); null if unknown to this version. */
    public String getMainScore() {
        return mainScore;
    }

    public void setMainScore(String mainScore) {
        this.mainScore = mainScore;
    }

    public double getMainScoreMean() {
        return mainScoreMean;
    }

    public void setMainScoreMean(double mainScoreMean) {
        this.mainScoreMean = mainScoreMean;
    }

    public double getDefenseSecondsMean() {
        return defenseSecondsMean;
    }

    public void setDefenseSecondsMean(double defenseSecondsMean) {
        this.defenseSecondsMean = defenseSecondsMean;
    }
}
