package dev.blindspot.defense;

import dev.blindspot.TestImages;
import dev.blindspot.attack.BadNet;
import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import dev.blindspot.experiment.PreparedData;
import dev.blindspot.model.Classifier;
import dev.blindspot.model.CompactCnn;
import dev.blindspot.model.Trainer;
import dev.blindspot.model.TrainingConfig;
import dev.blindspot.nd4j.NativeKernels;

import java.util.function.UnaryOperator;

/**
 * Small compact-cnn models with known answers, trained once per test JVM: one with a planted BadNet trigger
 * (target 0, 15% poisoned) and one trained on the same clean data without poison, on four classes so the clean
 * task is easy and the trigger is the only shortcut. Two kinds of images, each for the premise of the defenses
 * it serves:
 * <ul>
 * <li>tinted ({@link TestImages#tinted}): the classes' reversed triggers are alike, so Neural Cleanse's
 *     anomaly index can stand out among four labels;</li>
 * <li>striped ({@link TestImages#striped}): a blend of two clean images is ambiguous, as STRIP assumes.
 *     Tinted classes survive blending, so whether STRIP separates triggered inputs there is an accident of
 *     the training run (after a change of optimizer and init it ranked them above clean ones, AUROC 0.002).
 *     On striped images Neural Cleanse's other labels spread (norms 87–210 around the target's 11, measured
 *     with PyTorch's init), and four labels leave its anomaly index at 1.2.</li>
 * </ul>
 */
final class PlantedModels {
    static final int CLASSES = 4;
    static final BadNet ATTACK = new BadNet(3, 0.15, 0);
    static final BadNet NO_ATTACK = new BadNet(3, 0.0, 0);

    record Planted(Classifier model, PreparedData data, ImageSet test) {
        DefenseContext context(long seed) {
            return context(model, UnaryOperator.identity(), seed);
        }

        DefenseContext context(Classifier deployed, UnaryOperator<Classifier> requantize, long seed) {
            return new DefenseContext(deployed, model, requantize, data.training(), data.cleanSplit(), test, seed);
        }
    }

    private static Planted backdoored;
    private static Planted clean;
    private static Planted stripedBackdoored;
    private static Planted stripedClean;

    private PlantedModels() {
    }

    static synchronized Planted backdoored() {
        if (backdoored == null) {
            backdoored = train(ATTACK);
        }
        return backdoored;
    }

    static synchronized Planted clean() {
        if (clean == null) {
            clean = train(NO_ATTACK);
        }
        return clean;
    }

    static synchronized Planted stripedBackdoored() {
        if (stripedBackdoored == null) {
            stripedBackdoored = train(ATTACK, TestImages::striped, 10);
        }
        return stripedBackdoored;
    }

    static synchronized Planted stripedClean() {
        if (stripedClean == null) {
            stripedClean = train(NO_ATTACK, TestImages::striped, 10);
        }
        return stripedClean;
    }

    /** {@code (n, classes, noise, seed) -> images}, as the generators of {@link TestImages}. */
    private interface Images {
        ImageSet make(int n, int classes, int noise, long seed);
    }

    private static Planted train(BadNet attack) {
        return train(attack, TestImages::tinted, 60);
    }

    private static Planted train(BadNet attack, Images images, int noise) {
        NativeKernels.enable(NativeKernels.Policy.WARN, 2);
        ImageSet train = images.make(1400, CLASSES, noise, 1);
        PreparedData data = PreparedData.prepare(train, attack, 200, 7);
        Classifier model = Trainer.train(new CompactCnn(), data.training(), Normalization.of(train),
                Augmentation.NONE, new TrainingConfig(4, 32, 0.05, 0.9, 5e-4), 11);
        return new Planted(model, data, images.make(400, CLASSES, noise, 2));
    }

    /** Share of the non-target test images the trigger sends to the target. */
    static double asr(Planted p) {
        ImageSet test = p.test();
        int[] predicted = p.model().predict(ATTACK.stampAll(test));
        return dev.blindspot.metrics.Metrics.attackSuccess(predicted, test.labels(), ATTACK.target(), true);
    }

    static PoisonedSet training(Planted p) {
        return p.data().training();
    }
}
