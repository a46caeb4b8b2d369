package dev.blindspot.defense;

import dev.blindspot.util.Cancellation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import dev.blindspot.model.Classifier;
import dev.blindspot.model.InputGradients;
import dev.blindspot.util.Shuffles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

import java.util.SplittableRandom;

/**
 * Neural Cleanse's inner problem (Wang et al., S&amp;P 2019) for every label at once: for each label L find the
 * smallest mask m_L (H×W) and a pattern p_L (C×H×W) such that stamping them on clean images sends them to L.
 * All labels are optimized together: each step stacks the same clean batch once per label (K·b images), so
 * one forward/backward pass through the model serves every label's gradient.
 *
 * <p>Two parametrizations: {@link Space#RAW_TANH} (the reference: mask and pattern through tanh into [0,1]
 * raw pixel space, then the model's normalization) and {@link Space#NORMALIZED_SIGMOID} (the study's: mask
 * through a sigmoid, pattern unbounded in normalized space, both starting at 0).
 */
final class TriggerReversal {
    enum Space { RAW_TANH, NORMALIZED_SIGMOID }

    /**
     * @param steps             optimization steps (each over all labels)
     * @param batchPerLabel     clean images per label per step
     * @param learningRate      Adam's step size
     * @param beta1             Adam β1
     * @param beta2             Adam β2
     * @param initialLambda     weight of the mask's L1 norm at the start
     * @param adaptiveLambda    Neural Cleanse's schedule: ×up after {@code patience} epochs at or above the
     *                          success threshold, ÷down after {@code patience} epochs below it
     * @param successThreshold  reversed-trigger success the schedule (and the best mask) aims for
     * @param patience          epochs of patience of the schedule
     * @param lambdaUp          factor when the trigger succeeds
     * @param lambdaDown        divisor when it does not
     * @param stepsPerEpoch     steps that make one epoch of the schedule
     * @param cutModelGradient  the study's int8-dynamic artefact: the classification loss contributes no gradient
     * @param randomInit        start from uniform random mask and pattern (reference) or from 0 (the study)
     * @param keepBest          report the smallest mask that reached the success threshold at an epoch's end
     *                          (the reference), or the last mask (the study)
     */
    record Settings(Space space, int steps, int batchPerLabel, double learningRate, double beta1, double beta2,
                    double initialLambda, boolean adaptiveLambda, double successThreshold, int patience,
                    double lambdaUp, double lambdaDown, int stepsPerEpoch, boolean cutModelGradient,
                    boolean randomInit, boolean keepBest) {
    }

    /**
     * Per label: the L1 norm of the mask reported (see {@link Settings#keepBest}; the last one where no mask
     * reached the threshold), the success of its trigger over its epoch, the final λ, and whether the
     * threshold was ever reached at an epoch's end.
     */
    record Result(double[] maskNorms, double[] success, double[] lambda, boolean[] reached) {
    }

    private static final int HW = ImageSet.PLANE;
    private static final int CHW = ImageSet.IMAGE_BYTES;
    /** Images per forward/backward pass. */
    private static final int MAX_BATCH = 512;

    private TriggerReversal() {
    }

    static Result run(Classifier model, ImageSet clean, Settings s, long seed) {
        int k = model.numClasses();
        int b = Math.min(s.batchPerLabel(), clean.size());
        int width = HW + CHW; // mask, then pattern
        SplittableRandom rng = new SplittableRandom(seed);
        float[] params = new float[k * width];
        if (s.randomInit()) {
            // Uniform [0,1) in the bounded space, mapped back through the squashing function (atanh), as the
            // original implementation initialises.
            for (int i = 0; i < params.length; i++) {
                double u = 0.01 + 0.98 * rng.nextDouble();
                params[i] = (float) atanh(2 * u - 1);
            }
        }
        INDArray paramArray = Nd4j.create(params, new long[] {1, params.length}, 'c');
        Adam adam = new Adam(s.learningRate(), s.beta1(), s.beta2(), 1e-8);
        AdamUpdater updater = (AdamUpdater) adam.instantiate(
                Nd4j.zeros(DataType.FLOAT, 1, adam.stateSize(params.length)), true);

        Normalization norm = model.normalization();
        InputGradients gradients = s.cutModelGradient() ? null : new InputGradients(model);
        double[] lambda = new double[k];
        java.util.Arrays.fill(lambda, s.initialLambda());
        double[] bestNorm = new double[k];
        double[] bestSuccess = new double[k];
        double[] lastNorm = new double[k];
        double[] lastEpochSuccess = new double[k];
        boolean[] reached = new boolean[k];
        java.util.Arrays.fill(bestNorm, Double.POSITIVE_INFINITY);
        int[] upCount = new int[k];
        int[] downCount = new int[k];
        double[] epochSuccess = new double[k];
        int epochSteps = 0;
        int[] order = Shuffles.permutation(clean.size(), rng);
        int cursor = 0;

        float[] mask = new float[k * HW];
        float[] pattern = new float[k * CHW];
        float[] x = new float[b * CHW];
        // Labels go through the model in chunks of at most MAX_BATCH images, so memory stays bounded however
        // many labels the dataset has; the gradients of a step are summed over the chunks before Adam moves.
        int perChunk = Math.max(1, Math.min(k, MAX_BATCH / b));
        float[] input = new float[perChunk * b * CHW];
        for (int step = 0; step < s.steps(); step++) {
            Cancellation.check();
            params = paramArray.toFloatVector();
            squash(params, mask, pattern, k, s.space());
            // The next b clean images in a reshuffled order, in the optimization space (raw [0,1] or normalized).
            for (int i = 0; i < b; i++) {
                if (cursor == order.length) {
                    order = Shuffles.permutation(clean.size(), rng);
                    cursor = 0;
                }
                int src = order[cursor++];
                for (int c = 0; c < 3; c++) {
                    for (int j = 0; j < HW; j++) {
                        float raw = (clean.pixels()[src * CHW + c * HW + j] & 0xFF) / 255f;
                        x[i * CHW + c * HW + j] = s.space() == Space.RAW_TANH ? raw
                                : (raw - norm.mean()[c]) / norm.std()[c];
                    }
                }
            }
            float[] grad = new float[k * width];
            for (int first = 0; first < k; first += perChunk) {
                int count = Math.min(perChunk, k - first);
                int rows = count * b;
                float[] chunkInput = rows * CHW == input.length ? input : new float[rows * CHW];
                compose(x, mask, pattern, chunkInput, first, count, b, s.space(), norm);
                INDArray in = Nd4j.create(chunkInput, new long[] {rows, 3, ImageSet.HEIGHT, ImageSet.WIDTH}, 'c');
                int[] predicted = model.network().outputSingle(false, in).argMax(1).toIntVector();
                float[] g = null;
                if (gradients != null) {
                    float[] oneHot = new float[rows * k];
                    for (int r = 0; r < rows; r++) {
                        oneHot[r * k + first + r / b] = 1f;
                    }
                    INDArray y = Nd4j.create(oneHot, new long[] {rows, k}, 'c');
                    g = Nd4j.toFlattened('c', gradients.gradient(in, y)).toFloatVector();
                }
                for (int l = first; l < first + count; l++) {
                    int hits = 0;
                    for (int i = 0; i < b; i++) {
                        hits += predicted[(l - first) * b + i] == l ? 1 : 0;
                    }
                    epochSuccess[l] += (double) hits / b;
                    if (g != null) {
                        accumulate(g, x, mask, pattern, grad, l, l - first, b, width, s.space(), norm);
                    }
                    for (int j = 0; j < HW; j++) {
                        grad[l * width + j] += (float) lambda[l]; // d(λ·Σmask)/dmask; the mask is ≥ 0
                    }
                }
            }
            chain(params, grad, k, width, s.space());
            INDArray update = Nd4j.create(grad, new long[] {1, grad.length}, 'c');
            updater.applyUpdater(update, step, 0);
            paramArray.subi(update);

            if (++epochSteps == s.stepsPerEpoch() || step == s.steps() - 1) {
                float[] now = paramArray.toFloatVector();
                squash(now, mask, pattern, k, s.space());
                for (int l = 0; l < k; l++) {
                    double success = epochSuccess[l] / epochSteps;
                    double l1 = maskNorm(mask, l);
                    boolean ok = success >= s.successThreshold();
                    if (ok && l1 < bestNorm[l]) {
                        bestNorm[l] = l1;
                        bestSuccess[l] = success;
                        reached[l] = true;
                    }
                    if (s.adaptiveLambda()) {
                        upCount[l] = ok ? upCount[l] + 1 : 0;
                        downCount[l] = ok ? 0 : downCount[l] + 1;
                        if (upCount[l] >= s.patience()) {
                            upCount[l] = 0;
                            lambda[l] *= s.lambdaUp();
                        } else if (downCount[l] >= s.patience()) {
                            downCount[l] = 0;
                            lambda[l] /= s.lambdaDown();
                        }
                    }
                    epochSuccess[l] = 0;
                    lastNorm[l] = l1;
                    lastEpochSuccess[l] = success;
                }
                epochSteps = 0;
            }
        }
        double[] norms = new double[k];
        double[] success = new double[k];
        for (int l = 0; l < k; l++) {
            boolean best = s.keepBest() && reached[l];
            norms[l] = best ? bestNorm[l] : lastNorm[l];
            success[l] = best ? bestSuccess[l] : lastEpochSuccess[l];
        }
        return new Result(norms, success, lambda, reached);
    }

    /** Mask (K×HW) and pattern (K×CHW) in the space the input is composed in. */
    private static void squash(float[] params, float[] mask, float[] pattern, int k, Space space) {
        int width = HW + CHW;
        for (int l = 0; l < k; l++) {
            for (int j = 0; j < HW; j++) {
                float m = params[l * width + j];
                mask[l * HW + j] = space == Space.RAW_TANH ? (float) (Math.tanh(m) + 1) / 2 : sigmoid(m);
            }
            for (int j = 0; j < CHW; j++) {
                float p = params[l * width + HW + j];
                pattern[l * CHW + j] = space == Space.RAW_TANH ? (float) (Math.tanh(p) + 1) / 2 : p;
            }
        }
    }

    /** input[l,i] = (1 − m_l)·x_i + m_l·p_l for labels first..first+count−1, normalized afterwards in the raw space. */
    private static void compose(float[] x, float[] mask, float[] pattern, float[] input, int first, int count, int b,
                                Space space, Normalization norm) {
        for (int l = first; l < first + count; l++) {
            for (int i = 0; i < b; i++) {
                int out = ((l - first) * b + i) * CHW;
                for (int c = 0; c < 3; c++) {
                    float mean = norm.mean()[c];
                    float inv = 1f / norm.std()[c];
                    for (int j = 0; j < HW; j++) {
                        float m = mask[l * HW + j];
                        float v = (1 - m) * x[i * CHW + c * HW + j] + m * pattern[l * CHW + c * HW + j];
                        input[out + c * HW + j] = space == Space.RAW_TANH ? (v - mean) * inv : v;
                    }
                }
            }
        }
    }

    /**
     * Adds label l's share of the classification loss gradient to the mask and pattern gradients. The
     * network's input gradient is that of the summed loss; the objective averages over the b images.
     */
    private static void accumulate(float[] g, float[] x, float[] mask, float[] pattern, float[] grad, int l, int slot,
                                   int b, int width, Space space, Normalization norm) {
        for (int i = 0; i < b; i++) {
            int row = (slot * b + i) * CHW;
            for (int c = 0; c < 3; c++) {
                float scale = (space == Space.RAW_TANH ? 1f / norm.std()[c] : 1f) / b;
                for (int j = 0; j < HW; j++) {
                    float gv = g[row + c * HW + j] * scale;
                    float m = mask[l * HW + j];
                    float p = pattern[l * CHW + c * HW + j];
                    grad[l * width + j] += gv * (p - x[i * CHW + c * HW + j]);
                    grad[l * width + HW + c * HW + j] += gv * m;
                }
            }
        }
    }

    /** Gradients with respect to the bounded mask/pattern → with respect to the free parameters. */
    private static void chain(float[] params, float[] grad, int k, int width, Space space) {
        for (int l = 0; l < k; l++) {
            for (int j = 0; j < width; j++) {
                int idx = l * width + j;
                double t = params[idx];
                if (space == Space.RAW_TANH) {
                    double th = Math.tanh(t);
                    grad[idx] *= (float) ((1 - th * th) / 2);
                } else if (j < HW) {
                    float sg = sigmoid((float) t);
                    grad[idx] *= sg * (1 - sg);
                }
            }
        }
    }

    static double maskNorm(float[] mask, int label) {
        double sum = 0;
        for (int j = 0; j < HW; j++) {
            sum += mask[label * HW + j];
        }
        return sum;
    }

    private static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }

    private static double atanh(double v) {
        return 0.5 * Math.log((1 + v) / (1 - v));
    }
}
