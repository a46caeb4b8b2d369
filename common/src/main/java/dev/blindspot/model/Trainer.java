package dev.blindspot.model;

import dev.blindspot.util.Cancellation;
import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import dev.blindspot.util.Seeds;
import dev.blindspot.util.Shuffles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Trains an architecture on a (possibly poisoned) training set. Each batch is built as the study does:
 * raw images, augmentation, then the trigger on poisoned samples (so its position is fixed), then
 * normalization. Weight init, data order and augmentation each draw from their own seed derived from the
 * model seed, so the same seed gives the same model, bit for bit, on the same backend and thread count.
 */
public final class Trainer {
    private Trainer() {
    }

    public static Classifier train(Architecture architecture, PoisonedSet data, Normalization normalization,
                                   Augmentation augmentation, TrainingConfig config, long seed) {
        ImageSet images = data.images();
        ComputationGraph net = architecture.build(images.numClasses(), config, Seeds.derive(seed, "init"));
        SplittableRandom order = new SplittableRandom(Seeds.derive(seed, "order"));
        SplittableRandom augment = new SplittableRandom(Seeds.derive(seed, "augment"));
        int n = images.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        byte[] scratch = new byte[config.batchSize() * ImageSet.IMAGE_BYTES];
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            Shuffles.shuffle(perm, order);
            for (int from = 0; from < n; from += config.batchSize()) {
                Cancellation.check();
                Batch b = batch(data, normalization, augmentation, perm, from,
                        Math.min(config.batchSize(), n - from), augment, scratch);
                net.fit(new INDArray[] {b.features()}, new INDArray[] {b.labels()});
                checkFinite(net.score(), epoch, from / config.batchSize(), config);
            }
            net.incrementEpochCount();
            // A step's loss is computed before its update, so a NaN the last update brings shows only here.
            checkParametersFinite(net, epoch, config);
        }
        return new Classifier(net, normalization);
    }

    /**
     * Stops a diverged training at its first non-finite loss: from there every parameter turns NaN, and the model
     * would still be stored and scored — as a constant classifier with a clean accuracy at chance and, when the
     * constant is the target label, an ASR of 100%, read as a perfect backdoor.
     */
    static void checkFinite(double loss, int epoch, int step, TrainingConfig config) {
        if (!Double.isFinite(loss)) {
            throw diverged("the loss is " + loss + " at epoch " + (epoch + 1) + ", step " + (step + 1), config);
        }
    }

    /**
     * The same check on the parameters after an epoch: where no step's loss is at hand (distributed training),
     * and for the update after the last loss.
     */
    public static void checkParametersFinite(ComputationGraph net, int epoch, TrainingConfig config) {
        if (!parametersFinite(net)) {
            throw diverged("the parameters are not finite after epoch " + (epoch + 1), config);
        }
    }

    /** Whether every parameter of the network is finite (a diverged training leaves them all NaN). */
    public static boolean parametersFinite(ComputationGraph net) {
        return Double.isFinite(net.params().sumNumber().doubleValue()); // NaN or infinite as soon as one parameter is
    }

    private static IllegalStateException diverged(String what, TrainingConfig config) {
        return new IllegalStateException("training diverged: " + what + " (training.learning-rate = "
                + config.learningRate() + ", training.batch-size = " + config.batchSize()
                + "); lower training.learning-rate");
    }

    /** One training step's input: normalized images (NCHW) and one-hot labels. */
    public record Batch(INDArray features, INDArray labels) {
    }

    /**
     * Builds the batch of {@code order[from .. from+count)} as the study does: raw images, augmentation drawn
     * from {@code augment}, then the trigger on the poisoned ones (so its position is fixed), then
     * normalization. Shared by this trainer and the distributed one, so both train on identical recipes.
     *
     * @param scratch at least {@code count} images of bytes, reused between calls
     */
    public static Batch batch(PoisonedSet data, Normalization normalization, Augmentation augmentation, int[] order,
                              int from, int count, SplittableRandom augment, byte[] scratch) {
        ImageSet images = data.images();
        float[] oneHot = new float[count * images.numClasses()];
        for (int k = 0; k < count; k++) {
            int idx = order[from + k];
            System.arraycopy(images.pixels(), idx * ImageSet.IMAGE_BYTES, scratch, k * ImageSet.IMAGE_BYTES,
                    ImageSet.IMAGE_BYTES);
            oneHot[k * images.numClasses() + images.label(idx)] = 1f;
        }
        augmentation.apply(scratch, count, augment);
        for (int k = 0; k < count; k++) {
            if (data.poisoned()[order[from + k]]) {
                data.attack().stamp(scratch, k);
            }
        }
        INDArray features = normalization.toInput(scratch, 0, count);
        INDArray labels = Nd4j.create(oneHot, new long[] {count, images.numClasses()}, 'c').castTo(DataType.FLOAT);
        return new Batch(features, labels);
    }
}
