package dev.blindspot.defense;

import com.typesafe.config.Config;
import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.metrics.Metrics;
import dev.blindspot.util.InvalidConfigException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Spectral Signatures (Tran, Li and Madry, "Spectral Signatures in Backdoor Attacks", NeurIPS 2018).
 *
 * <p>Per training label: centre the penultimate representations of the samples with that label, score each
 * by its squared projection on the top right singular vector, and remove the {@code removalFactor·ε·n}
 * highest-scoring samples of the label (all of them if the label has fewer), where ε is the assumed poison
 * rate and n the size of the training set. This is the paper's Algorithm 1, whose ε is an upper bound on
 * the <em>number</em> of poisoned samples (here ε·n) and which removes 1.5 times that many from every
 * label. By default ({@code epsilon = auto}) the defender is granted the true poison rate.
 *
 * <p>Removing a fixed count from every label also removes clean samples, all of them in labels smaller
 * than the count; the row records the removal's false-positive rate beside its recall.
 *
 * <p>{@code scoring} picks what is projected on that vector. {@code centred} (DESIGN.md's default) is the
 * paper's Algorithm 1: the centred representation, squared. {@code raw} is what the authors' published code
 * ({@code compute_corr.py} of MadryLab/backdoor_data_poisoning) and IBM ART compute: the singular vector of the
 * centred representations, but the absolute projection of the uncentred ones. The two differ in which tail
 * they remove: the centred square removes both tails of the projection around the label's mean, the raw one
 * the samples farthest from the origin along the vector — a single tail when the label's projections lie on
 * one side of the origin, as post-ReLU representations far from it do. A poisoned minority sits in one tail,
 * so the centred score spends part of its budget on the clean samples of the other.
 *
 * <p>{@code detected} iff at least {@code detect-share} of the poisoned samples are among those removed.
 */
public final class SpectralSignatures implements Defense {
    public static final String NAME = "spectral-signatures";

    /**
     * @param epsilon       assumed poison rate of the training set; NaN = the true one ("auto")
     * @param removalFactor removed samples per label = removalFactor · ε · n, n the training set size (the paper's 1.5)
     * @param detectShare   share of the poisoned samples that must be removed to call it detected
     * @param scoring       what is projected on the top singular vector
     */
    public record Params(double epsilon, double removalFactor, double detectShare, Scoring scoring) {
        public Params {
            if (!Double.isNaN(epsilon) && !(epsilon > 0 && epsilon <= 1)) {
                throw new InvalidConfigException("defenses.spectral-signatures.epsilon",
                        "must be 'auto' or in (0, 1], got " + epsilon);
            }
            if (!(removalFactor > 0)) {
                throw new InvalidConfigException("defenses.spectral-signatures.removal-factor",
                        "must be > 0, got " + removalFactor);
            }
            if (!(detectShare > 0 && detectShare <= 1)) {
                throw new InvalidConfigException("defenses.spectral-signatures.detect-share",
                        "must be in (0, 1], got " + detectShare);
            }
        }
    }

    /** What each sample's score projects on the top right singular vector of the label's centred representations. */
    public enum Scoring {
        /** The centred representation, squared (the paper's Algorithm 1). */
        CENTRED,
        /** The uncentred representation, absolute value (the authors' code and IBM ART). */
        RAW
    }

    private final Params params;

    public SpectralSignatures(Params params) {
        this.params = params;
    }

    public static SpectralSignatures fromConfig(Config c) {
        String eps = c.getString("epsilon");
        double epsilon;
        if ("auto".equals(eps)) {
            epsilon = Double.NaN;
        } else {
            try {
                epsilon = Double.parseDouble(eps);
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("defenses.spectral-signatures.epsilon",
                        "must be 'auto' or a number in (0, 1], got '" + eps + "'");
            }
        }
        Scoring scoring = Scoring.valueOf(new DefenseSettings(NAME, c).oneOf("scoring", "centred", "raw")
                .toUpperCase(Locale.ROOT));
        return new SpectralSignatures(new Params(epsilon, c.getDouble("removal-factor"), c.getDouble("detect-share"),
                scoring));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mainScore() {
        return "removal_recall";
    }

    @Override
    public boolean readsFeatures() {
        return true;
    }

    @Override
    public DefenseOutcome run(DefenseContext context) {
        PoisonedSet training = context.trainingSet();
        return inspect(context.model().outputs(training.materialize()).features(), training);
    }

    /** The decision on given penultimate features of the training set (one row per sample). */
    DefenseOutcome inspect(float[][] features, PoisonedSet training) {
        int[] labels = training.images().labels();
        double epsilon = Double.isNaN(params.epsilon())
                ? (double) training.poisonedCount() / training.size() : params.epsilon();
        Outliers r = remove(features, labels, training.images().numClasses(), epsilon, params.removalFactor(),
                params.scoring());
        return score(r, training.poisoned(), labels, training.attack().target(), epsilon);
    }

    /** Outlier scores of every sample and which were removed. */
    record Outliers(double[] scores, boolean[] removed) {
    }

    /** Scores every sample within its label and removes the top {@code factor·ε·n} of each label. */
    static Outliers remove(float[][] features, int[] labels, int numClasses, double epsilon, double factor,
                           Scoring scoring) {
        long perLabel = Math.round(factor * epsilon * labels.length);
        double[] scores = new double[labels.length];
        boolean[] removed = new boolean[labels.length];
        for (int label = 0; label < numClasses; label++) {
            List<Integer> members = membersOf(labels, label);
            if (members.size() < 2) {
                continue;
            }
            double[] s = projectionScores(features, members, scoring);
            for (int k = 0; k < members.size(); k++) {
                scores[members.get(k)] = s[k];
            }
            int toRemove = (int) Math.min(members.size(), perLabel);
            Integer[] order = members.toArray(new Integer[0]);
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
            for (int k = 0; k < toRemove; k++) {
                removed[order[k]] = true;
            }
        }
        return new Outliers(scores, removed);
    }

    /** Indices of the samples with {@code label}, in order. */
    static List<Integer> membersOf(int[] labels, int label) {
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == label) {
                members.add(i);
            }
        }
        return members;
    }

    /** Each member's projection on the top right singular vector of the centred representations (see Scoring). */
    static double[] projectionScores(float[][] features, List<Integer> members, Scoring scoring) {
        int n = members.size();
        int d = features[members.get(0)].length;
        double[] mean = new double[d];
        for (int i : members) {
            for (int j = 0; j < d; j++) {
                mean[j] += features[i][j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[][] centred = new double[n][d];
        for (int k = 0; k < n; k++) {
            float[] f = features[members.get(k)];
            for (int j = 0; j < d; j++) {
                centred[k][j] = f[j] - mean[j];
            }
        }
        Array2DRowRealMatrix m = new Array2DRowRealMatrix(centred, false);
        double[] v = new SingularValueDecomposition(m).getV().getColumn(0);
        // The raw representation is the centred one plus the mean: its projection is offset by ⟨mean, v⟩.
        double offset = 0;
        if (scoring == Scoring.RAW) {
            for (int j = 0; j < d; j++) {
                offset += mean[j] * v[j];
            }
        }
        double[] scores = new double[n];
        for (int k = 0; k < n; k++) {
            double dot = offset;
            for (int j = 0; j < d; j++) {
                dot += centred[k][j] * v[j];
            }
            scores[k] = scoring == Scoring.CENTRED ? dot * dot : Math.abs(dot);
        }
        return scores;
    }

    private DefenseOutcome score(Outliers r, boolean[] poisoned, int[] labels, int target, double epsilon) {
        Map<String, Double> scores = new java.util.HashMap<>();
        Removal.score(r.removed(), poisoned, scores);
        int poisonedTotal = 0;
        for (boolean p : poisoned) {
            poisonedTotal += p ? 1 : 0;
        }
        // AUROC within the target label: scores of different labels are on different scales.
        int targetCount = 0;
        for (int l : labels) {
            targetCount += l == target ? 1 : 0;
        }
        double[] targetScores = new double[targetCount];
        boolean[] targetPoisoned = new boolean[targetCount];
        for (int i = 0, k = 0; i < labels.length; i++) {
            if (labels[i] == target) {
                targetScores[k] = r.scores()[i];
                targetPoisoned[k++] = poisoned[i];
            }
        }
        boolean detected = poisonedTotal > 0 && scores.get("removal_recall") >= params.detectShare();
        scores.put("score_auroc", Metrics.auroc(targetScores, targetPoisoned));
        return new DefenseOutcome(detected, null, scores,
                Map.of("epsilon", epsilon, "removal_factor", params.removalFactor(),
                        "detect_share", params.detectShare(),
                        "raw_scoring", params.scoring() == Scoring.RAW ? 1.0 : 0.0));
    }
}
