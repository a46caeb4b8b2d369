package dev.blindspot.defense;

import dev.blindspot.util.Cancellation;
import com.typesafe.config.Config;
import dev.blindspot.attack.BadNet;
import dev.blindspot.data.ImageSet;
import dev.blindspot.metrics.Metrics;
import dev.blindspot.model.Architecture;
import dev.blindspot.model.Classifier;
import dev.blindspot.util.Shuffles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Fine-Pruning (Liu, Dolan-Gavitt and Garg, "Fine-Pruning: Defending Against Backdooring Attacks on Deep
 * Neural Networks", RAID 2018), reference variant (DESIGN.md §6), a mitigation.
 *
 * <p>The channels of the last convolutional activation are ranked by their mean activation on the defender's
 * clean split (on the deployed model) and pruned in increasing order for as long as the clean accuracy on
 * that split stays within {@code max-accuracy-drop} of the unpruned one. The architectures end in global
 * average pooling and one dense layer, so pruning channel c of the last activation is exactly zeroing row c
 * of the dense weights — the same for every architecture and every precision scheme. The pruned FP32 model
 * is then fine-tuned on the clean split (pruned rows held at zero) and re-quantized with the cell's scheme.
 * {@code detected} means mitigated: the attack success rate after the defense is at most {@code mitigated-asr}.
 *
 * <p>The row also says where the backdoor runs, which the defender cannot know but the grid does: the trigger's
 * push towards the target logit through each channel (W[c, target] times the trigger's mean activation shift on
 * the non-target test images), as the share of it the pruned channels carried ({@code trigger_push_pruned}) and its
 * weighted position in the pruning order ({@code trigger_push_rank}: 0 = the least active channel, 1 = the most).
 * Liu et al.'s premise is a push share near 1 and a rank near 0.
 */
public final class FinePruning implements Defense {
    public static final String NAME = "fine-pruning";

    private final double maxAccuracyDrop;
    private final int fineTuneEpochs;
    private final double fineTuneLearningRate;
    private final int batchSize;
    private final double mitigatedAsr;

    FinePruning(double maxAccuracyDrop, int fineTuneEpochs, double fineTuneLearningRate, int batchSize,
                double mitigatedAsr) {
        this.maxAccuracyDrop = maxAccuracyDrop;
        this.fineTuneEpochs = fineTuneEpochs;
        this.fineTuneLearningRate = fineTuneLearningRate;
        this.batchSize = batchSize;
        this.mitigatedAsr = mitigatedAsr;
    }

    public static FinePruning fromConfig(Config c) {
        DefenseSettings s = new DefenseSettings(NAME, c);
        return new FinePruning(s.doubleIn("max-accuracy-drop", 0, 1, true, false), s.intAtLeast("fine-tune-epochs", 0),
                s.positive("fine-tune-learning-rate"), s.intAtLeast("batch-size", 1), s.share("mitigated-asr"));
    }

    /** A pruning search and a fine-tune on the clean split: measured 1.4× (CIFAR-10) to 2.5× (GTSRB). */
    @Override
    public double relativeCost(int numClasses) {
        return 2;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mainScore() {
        return "asr_after";
    }

    @Override
    public boolean readsFeatures() {
        return true;
    }

    @Override
    public int minimumCleanImages() {
        return 1;
    }

    @Override
    public DefenseOutcome run(DefenseContext context) {
        ImageSet clean = context.cleanSplit();
        BadNet attack = context.trainingSet().attack();
        Classifier deployed = context.model();
        // Pruning changes only the output layer's rows, so the penultimate features are computed once and each
        // step of the search reads them out again (Classifier.outputsFromFeatures).
        float[][] features = deployed.outputs(clean).features();
        int channels = features[0].length;
        double[] meanActivation = new double[channels];
        for (float[] f : features) {
            for (int c = 0; c < channels; c++) {
                meanActivation[c] += f[c] / (double) features.length;
            }
        }
        Integer[] order = IntStream.range(0, channels).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer c) -> meanActivation[c]));

        // Prune on a copy of the deployed model while the defender's clean accuracy holds.
        Classifier probe = deployed.copy();
        double baseAccuracy = Metrics.accuracy(probe.outputsFromFeatures(features).predictions(), clean.labels());
        int pruned = 0;
        double prunedAccuracy = baseAccuracy;
        for (int k = 0; k < channels - 1; k++) {
            Cancellation.check();
            prune(probe.network(), order[k]);
            double acc = Metrics.accuracy(probe.outputsFromFeatures(features).predictions(), clean.labels());
            if (baseAccuracy - acc > maxAccuracyDrop) {
                break;
            }
            pruned = k + 1;
            prunedAccuracy = acc;
        }
        int[] prunedChannels = new int[pruned];
        for (int k = 0; k < pruned; k++) {
            prunedChannels[k] = order[k];
        }

        Classifier fp32 = prunedCopy(context.fp32Model(), prunedChannels);
        fineTune(fp32, clean, prunedChannels, context.seed());
        Classifier repaired = context.requantize().apply(fp32);

        ImageSet test = context.testSet();
        ImageSet triggered = attack.stampAll(test);
        // One pass each over the test set, clean and triggered: the predictions score the model, the features locate
        // the backdoor below.
        Classifier.Outputs testOut = deployed.outputs(test);
        Classifier.Outputs triggeredOut = deployed.outputs(triggered);
        double caBefore = Metrics.accuracy(testOut.predictions(), test.labels());
        double asrBefore = Metrics.attackSuccess(triggeredOut.predictions(), test.labels(), attack.target(), true);
        // The pruned model before fine-tuning: did pruning alone reach the backdoor? (Liu et al.'s premise: its
        // channels are dormant on clean data, so they go first.) Rebuilt from the list: the search's copy has one
        // channel too many pruned when it stopped at the budget.
        Classifier prunedModel = prunedCopy(deployed, prunedChannels);
        double caPruned = Metrics.accuracy(prunedModel.outputsFromFeatures(testOut.features()).predictions(), test.labels());
        double asrPruned = Metrics.attackSuccess(prunedModel.outputsFromFeatures(triggeredOut.features()).predictions(),
                test.labels(), attack.target(), true);
        double caAfter = Metrics.accuracy(repaired.predict(test), test.labels());
        double asrAfter = Metrics.attackSuccess(repaired.predict(triggered), test.labels(), attack.target(), true);
        // Where the backdoor lives, to explain the outcome (an oracle diagnostic like the ASR: the defender never sees
        // the trigger). Pruning channel c removes exactly W[c, target] times its activation from the target's logit.
        double[] push = triggerPush(testOut.features(), triggeredOut.features(), test.indicesNotLabelled(attack.target()),
                deployed.network().getLayer(Architecture.OUTPUT).getParam("W").getColumn(attack.target())
                        .castTo(DataType.DOUBLE).toDoubleVector());
        Map<String, Double> scores = new HashMap<>();
        scores.put("channels", (double) channels);
        scores.put("pruned_channels", (double) pruned);
        scores.put("defender_acc_before", baseAccuracy);
        scores.put("defender_acc_pruned", prunedAccuracy);
        scores.put("clean_acc_before", caBefore);
        scores.put("clean_acc_pruned", caPruned);
        scores.put("asr_pruned", asrPruned);
        scores.put("clean_acc_after", caAfter);
        scores.put("asr_before", asrBefore);
        scores.put("asr_after", asrAfter);
        scores.put("trigger_push_pruned", pushShare(push, prunedChannels));
        scores.put("trigger_push_rank", pushRank(push, order));
        return new DefenseOutcome(asrAfter <= mitigatedAsr, null, scores,
                Map.of("max_accuracy_drop", maxAccuracyDrop, "mitigated_asr", mitigatedAsr,
                        "fine_tune_epochs", (double) fineTuneEpochs, "fine_tune_learning_rate", fineTuneLearningRate));
    }

    /**
     * The trigger's push towards the target logit through each channel: W[c, target] times the channel's mean
     * activation on triggered images minus on the same images clean, over the given rows (those outside the target).
     */
    static double[] triggerPush(float[][] clean, float[][] triggered, int[] rows, double[] targetWeights) {
        double[] push = new double[targetWeights.length];
        for (int i : rows) {
            for (int c = 0; c < push.length; c++) {
                push[c] += (triggered[i][c] - (double) clean[i][c]) / rows.length;
            }
        }
        for (int c = 0; c < push.length; c++) {
            push[c] *= targetWeights[c];
        }
        return push;
    }

    /**
     * The share of the trigger's positive push that went through the given channels: near 1 when Liu et al.'s
     * premise holds (the backdoor's channels are the dormant ones pruning takes first). NaN when nothing pushes.
     */
    static double pushShare(double[] push, int[] channels) {
        double total = 0;
        for (double p : push) {
            total += Math.max(0, p);
        }
        double share = 0;
        for (int c : channels) {
            share += Math.max(0, push[c]);
        }
        return total > 0 ? share / total : Double.NaN;
    }

    /**
     * Where the positive push sits in the pruning order, 0 = the least active channel (pruned first), 1 = the most
     * active: the push-weighted mean position, over channels − 1. Independent of the budget. NaN when nothing pushes.
     */
    static double pushRank(double[] push, Integer[] order) {
        double total = 0;
        double weighted = 0;
        for (int k = 0; k < order.length; k++) {
            double p = Math.max(0, push[order[k]]);
            total += p;
            weighted += p * k;
        }
        return total > 0 ? weighted / total / (order.length - 1) : Double.NaN;
    }

    /** Removes channel c of the last activation: its row of the output layer's weights becomes 0. */
    static void prune(ComputationGraph net, int channel) {
        net.getLayer(Architecture.OUTPUT).getParam("W").getRow(channel).assign(0);
    }

    /** A copy of the model with the given channels pruned. */
    private static Classifier prunedCopy(Classifier model, int[] channels) {
        Classifier copy = model.copy();
        for (int c : channels) {
            prune(copy.network(), c);
        }
        return copy;
    }

    /** SGD on the clean split (the model's own optimizer at a fixed small rate); pruned rows stay 0. */
    private void fineTune(Classifier model, ImageSet clean, int[] pruned, long seed) {
        ComputationGraph net = model.network();
        net.setLearningRate(fineTuneLearningRate);
        SplittableRandom rng = new SplittableRandom(seed);
        int n = clean.size();
        int k = clean.numClasses();
        int[] perm = IntStream.range(0, n).toArray();
        for (int epoch = 0; epoch < fineTuneEpochs; epoch++) {
            Shuffles.shuffle(perm, rng);
            for (int from = 0; from < n; from += batchSize) {
                Cancellation.check();
                int[] idx = Arrays.copyOfRange(perm, from, Math.min(n, from + batchSize));
                ImageSet batch = clean.subset(idx);
                INDArray x = model.normalization().toInput(batch.pixels(), 0, idx.length);
                float[] oneHot = new float[idx.length * k];
                for (int r = 0; r < idx.length; r++) {
                    oneHot[r * k + batch.label(r)] = 1f;
                }
                INDArray y = Nd4j.create(oneHot, new long[] {idx.length, k}, 'c').castTo(DataType.FLOAT);
                net.fit(new INDArray[] {x}, new INDArray[] {y});
                for (int c : pruned) {
                    prune(net, c);
                }
            }
        }
    }
}
