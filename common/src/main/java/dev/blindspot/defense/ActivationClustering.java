package dev.blindspot.defense;

import com.typesafe.config.Config;
import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.ImageSet;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.Well19937c;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Activation Clustering (Chen et al., "Detecting Backdoor Attacks on Deep Neural Networks by Activation
 * Clustering", SafeAI@AAAI 2019), reference variant (DESIGN.md §6), with the relative-size and silhouette
 * analysis of IBM ART's implementation.
 *
 * <p>Per training label: the penultimate activations of the poisoned training set's samples with that label,
 * reduced to {@code dimensions} ({@code reduction}), split by 2-means (k-means++, seeded). A cluster is
 * poisonous if its relative size is below {@code size-threshold} and the split's mean silhouette exceeds
 * {@code silhouette-threshold}. Detected iff the target label has a poisonous cluster.
 *
 * <p>{@code reduction = pca} (default, as IBM ART's default) projects on the top principal components.
 * {@code reduction = ica} is the paper's ICA: FastICA's sources are the whitened principal components (unit
 * variance each) turned by an orthogonal unmixing matrix, and k-means++, k-means and the silhouette depend on
 * the points only through Euclidean distances, which that turn preserves. Clustering the sources is therefore
 * clustering the whitened components, which is how it is computed: exactly, with no ICA iteration to converge.
 *
 * <p>{@code confirm = exclusionary-reclassification} adds the paper's own check of a poisonous cluster
 * (Chen et al. §6.3): a model is retrained without the suspicious clusters and classifies them. A cluster the
 * retrained model sends back to its own label was a legitimate sub-population (GTSRB's labels split along the
 * tracks of their few physical signs); poisoned samples go to the labels their pixels show. The paper compares
 * the count l sent back to the label with the count p sent to the most frequent other label (legitimate iff
 * l / p > T). BadNet here draws its poisoned samples from every non-target label, so no single other label
 * holds many of them: p counts every other label, and the cluster stays poisonous iff l < T·p. All suspicious
 * clusters are excluded from one retraining (one model, not one per cluster: a training costs minutes).
 */
public final class ActivationClustering implements Defense {
    public static final String NAME = "activation-clustering";

    private final int dimensions;
    private final double sizeThreshold;
    private final double silhouetteThreshold;
    private final int maxIterations;
    private final boolean whiten;
    /** T of the exclusionary reclassification; NaN = no reclassification. */
    private final double reclassificationThreshold;

    ActivationClustering(int dimensions, double sizeThreshold, double silhouetteThreshold, int maxIterations,
                         boolean whiten, double reclassificationThreshold) {
        this.dimensions = dimensions;
        this.sizeThreshold = sizeThreshold;
        this.silhouetteThreshold = silhouetteThreshold;
        this.maxIterations = maxIterations;
        this.whiten = whiten;
        this.reclassificationThreshold = reclassificationThreshold;
    }

    public static ActivationClustering fromConfig(Config c) {
        DefenseSettings s = new DefenseSettings(NAME, c);
        boolean reclassify = s.oneOf("confirm", "none", "exclusionary-reclassification").equals("exclusionary-reclassification");
        double threshold = s.positive("reclassification-threshold");
        return new ActivationClustering(s.intAtLeast("dimensions", 1), s.doubleIn("size-threshold", 0, 0.5, false, true),
                s.doubleIn("silhouette-threshold", -1, 1, true, false), s.intAtLeast("max-iterations", 1),
                s.oneOf("reduction", "pca", "ica").equals("ica"), reclassify ? threshold : Double.NaN);
    }

    /** Trains a model on {@code kept} and returns its predictions for {@code excluded} (the suspicious samples). */
    @FunctionalInterface
    interface Reclassifier {
        int[] predict(PoisonedSet kept, ImageSet excluded);
    }

    private static final Reclassifier NO_RECLASSIFIER = (kept, excluded) -> {
        throw new IllegalStateException("exclusionary reclassification needs a reclassifier");
    };

    private boolean reclassifies() {
        return !Double.isNaN(reclassificationThreshold);
    }

    /** A feature-statistics defense (= 1), or, with reclassification, that plus one training of the model. */
    @Override
    public double relativeCost(int numClasses) {
        return reclassifies() ? 20 : 1;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mainScore() {
        return "target_silhouette";
    }

    @Override
    public boolean readsFeatures() {
        return true;
    }

    @Override
    public DefenseOutcome run(DefenseContext context) {
        PoisonedSet training = context.trainingSet();
        return inspect(context.model().outputs(training.materialize()).features(), training, context.seed(),
                (kept, excluded) -> context.retrain().apply(kept).predict(excluded));
    }

    /** The per-label analysis of one label's samples. */
    record LabelAnalysis(int size, double silhouette, double smallShare, boolean poisonous, boolean[] inSmall) {
    }

    DefenseOutcome inspect(float[][] features, PoisonedSet training, long seed) {
        return inspect(features, training, seed, NO_RECLASSIFIER);
    }

    DefenseOutcome inspect(float[][] features, PoisonedSet training, long seed, Reclassifier reclassifier) {
        int[] labels = training.images().labels();
        int numClasses = training.images().numClasses();
        int target = training.attack().target();
        Map<String, Double> scores = new HashMap<>();
        boolean[] suspicious = new boolean[labels.length];
        boolean[] poisonousLabel = new boolean[numClasses];
        for (int label = 0; label < numClasses; label++) {
            List<Integer> members = SpectralSignatures.membersOf(labels, label);
            if (members.size() < 4) {
                continue; // too few samples to split in two clusters
            }
            LabelAnalysis a = analyse(features, members, seed + label);
            scores.put("silhouette_" + twoDigits(label), a.silhouette());
            scores.put("small_cluster_share_" + twoDigits(label), a.smallShare());
            if (a.poisonous()) {
                poisonousLabel[label] = true;
                for (int k = 0; k < members.size(); k++) {
                    suspicious[members.get(k)] = a.inSmall()[k];
                }
            }
            if (label == target) {
                scores.put("target_silhouette", a.silhouette());
                scores.put("target_small_cluster_share", a.smallShare());
            }
        }
        int suspiciousLabels = count(poisonousLabel);
        scores.put("suspicious_labels", (double) suspiciousLabels);
        if (reclassifies() && suspiciousLabels > 0) {
            reclassify(training, suspicious, poisonousLabel, reclassifier, scores);
        }
        boolean[] flaggedSample = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            flaggedSample[i] = suspicious[i] && poisonousLabel[labels[i]];
        }
        int flaggedLabels = count(poisonousLabel);
        boolean targetPoisonous = poisonousLabel[target];
        scores.put("flagged_labels", (double) flaggedLabels);
        scores.put("non_target_flagged", (double) (flaggedLabels - (targetPoisonous ? 1 : 0)));
        Removal.score(flaggedSample, training.poisoned(), scores);
        return new DefenseOutcome(targetPoisonous, targetPoisonous,
                scores, Map.of("size_threshold", sizeThreshold, "silhouette_threshold", silhouetteThreshold,
                "dimensions", (double) dimensions, "whitened", whiten ? 1.0 : 0.0,
                "reclassification_threshold", reclassifies() ? reclassificationThreshold : 0.0));
    }

    /**
     * Exclusionary reclassification: retrains without every suspicious sample, then keeps a label poisonous
     * only if fewer than T times as many of its suspicious samples come back to it as go to other labels.
     * Records, per suspicious label, the share that came back ({@code reclassified_own_NN}).
     */
    private void reclassify(PoisonedSet training, boolean[] suspicious, boolean[] poisonousLabel,
                            Reclassifier reclassifier, Map<String, Double> scores) {
        int[] labels = training.images().labels();
        int[] kept = IntStream.range(0, labels.length).filter(i -> !suspicious[i]).toArray();
        int[] excluded = IntStream.range(0, labels.length).filter(i -> suspicious[i]).toArray();
        // The excluded samples as the model trained on them: the poisoned ones carry the trigger.
        int[] predicted = reclassifier.predict(training.subset(kept), training.subset(excluded).materialize());
        int[] own = new int[poisonousLabel.length];
        int[] other = new int[poisonousLabel.length];
        for (int k = 0; k < excluded.length; k++) {
            int label = labels[excluded[k]];
            if (predicted[k] == label) {
                own[label]++;
            } else {
                other[label]++;
            }
        }
        for (int label = 0; label < poisonousLabel.length; label++) {
            if (poisonousLabel[label]) {
                scores.put("reclassified_own_" + twoDigits(label), (double) own[label] / (own[label] + other[label]));
                poisonousLabel[label] = own[label] < reclassificationThreshold * other[label];
            }
        }
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }

    private static String twoDigits(int label) {
        return String.format(Locale.ROOT, "%02d", label);
    }

    LabelAnalysis analyse(float[][] features, List<Integer> members, long seed) {
        double[][] reduced = reduce(features, members, dimensions, whiten);
        List<DoublePoint> points = new ArrayList<>(reduced.length);
        for (double[] r : reduced) {
            points.add(new DoublePoint(r));
        }
        KMeansPlusPlusClusterer<DoublePoint> kmeans = new KMeansPlusPlusClusterer<>(2, maxIterations,
                new EuclideanDistance(), new Well19937c(seed));
        List<CentroidCluster<DoublePoint>> clusters = kmeans.cluster(points);
        // k-means returns clusters, not assignments; points are distinct objects, so identity maps them back.
        Map<DoublePoint, Integer> assignment = new java.util.IdentityHashMap<>();
        for (int c = 0; c < clusters.size(); c++) {
            for (DoublePoint p : clusters.get(c).getPoints()) {
                assignment.put(p, c);
            }
        }
        int[] cluster = new int[reduced.length];
        int[] sizes = new int[2];
        for (int i = 0; i < reduced.length; i++) {
            cluster[i] = assignment.getOrDefault(points.get(i), 0);
            sizes[cluster[i]]++;
        }
        int small = sizes[0] <= sizes[1] ? 0 : 1;
        double share = (double) sizes[small] / reduced.length;
        double silhouette = sizes[0] == 0 || sizes[1] == 0 ? 0 : silhouette(reduced, cluster);
        boolean[] inSmall = new boolean[reduced.length];
        for (int i = 0; i < reduced.length; i++) {
            inSmall[i] = cluster[i] == small;
        }
        boolean poisonous = share < sizeThreshold && silhouette > silhouetteThreshold;
        return new LabelAnalysis(reduced.length, silhouette, share, poisonous, inSmall);
    }

    /**
     * The members' features, centred, projected on their top {@code dims} principal components; with
     * {@code whiten}, each component scaled to unit variance (a component of zero variance stays 0).
     */
    static double[][] reduce(float[][] features, List<Integer> members, int dims, boolean whiten) {
        int n = members.size();
        int d = features[members.get(0)].length;
        double[][] x = new double[n][d];
        double[] mean = new double[d];
        for (int k = 0; k < n; k++) {
            float[] f = features[members.get(k)];
            for (int j = 0; j < d; j++) {
                x[k][j] = f[j];
                mean[j] += f[j] / n;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] -= mean[j];
            }
        }
        RealMatrix m = new Array2DRowRealMatrix(x, false);
        int k = Math.min(dims, Math.min(n, d));
        SingularValueDecomposition svd = new SingularValueDecomposition(m);
        double[][] projected = m.multiply(svd.getV().getSubMatrix(0, d - 1, 0, k - 1)).getData();
        if (whiten) {
            double[] singular = svd.getSingularValues();
            for (int j = 0; j < k; j++) {
                // column j of the projection is U_j·s_j: its standard deviation is s_j / sqrt(n - 1)
                double scale = singular[j] > 0 ? Math.sqrt(Math.max(n - 1, 1)) / singular[j] : 0;
                for (double[] row : projected) {
                    row[j] *= scale;
                }
            }
        }
        return projected;
    }

    /** Mean silhouette of a two-cluster assignment (Rousseeuw 1987), Euclidean. */
    static double silhouette(double[][] x, int[] cluster) {
        int n = x.length;
        int[] sizes = new int[2];
        for (int c : cluster) {
            sizes[c]++;
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            double[] sum = new double[2];
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    sum[cluster[j]] += distance(x[i], x[j]);
                }
            }
            int own = cluster[i];
            if (sizes[own] <= 1) {
                continue; // silhouette of a singleton is 0
            }
            double a = sum[own] / (sizes[own] - 1);
            double b = sum[1 - own] / sizes[1 - own];
            total += (b - a) / Math.max(a, b);
        }
        return total / n;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = a[k] - b[k];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
