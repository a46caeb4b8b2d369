package dev.blindspot.model;

import com.typesafe.config.Config;
import dev.blindspot.util.InvalidConfigException;

import java.util.Locale;

/**
 * The training recipe (DESIGN.md §4, as the study): SGD with momentum, L2 weight decay, a step schedule
 * that multiplies the learning rate by 0.1 at 50% and 75% of the epochs, cross-entropy.
 *
 * @param epochs       passes over the training set
 * @param batchSize    images per step
 * @param learningRate initial learning rate
 * @param momentum     SGD momentum
 * @param weightDecay  L2 coefficient, added to the gradient as PyTorch's {@code weight_decay} does
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate, double momentum, double weightDecay)
        implements java.io.Serializable {

    public TrainingConfig {
        if (epochs < 1) {
            throw new InvalidConfigException("training.epochs", "must be ≥ 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new InvalidConfigException("training.batch-size", "must be ≥ 1, got " + batchSize);
        }
        if (!(learningRate > 0)) {
            throw new InvalidConfigException("training.learning-rate", "must be > 0, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new InvalidConfigException("training.momentum", "must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new InvalidConfigException("training.weight-decay", "must be ≥ 0, got " + weightDecay);
        }
    }

    /** Reads the {@code training} subtree. */
    public static TrainingConfig fromConfig(Config c) {
        return new TrainingConfig(c.getInt("epochs"), c.getInt("batch-size"), c.getDouble("learning-rate"),
                c.getDouble("momentum"), c.getDouble("weight-decay"));
    }

    /** Canonical description, part of the model's identity. */
    public String spec() {
        return String.format(Locale.ROOT, "sgd(epochs=%d,batch=%d,lr=%s,momentum=%s classical,wd=%s,steps=0.5/0.75x0.1)",
                epochs, batchSize, learningRate, momentum, weightDecay);
    }
}
