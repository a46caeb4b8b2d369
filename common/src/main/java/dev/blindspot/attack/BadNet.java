package dev.blindspot.attack;

import com.typesafe.config.Config;
import dev.blindspot.data.ImageSet;
import dev.blindspot.util.InvalidConfigException;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * BadNet (Gu, Dolan-Gavitt and Garg, "BadNets: Identifying Vulnerabilities in the Machine Learning Model
 * Supply Chain", 2017), all-to-one: a {@code size}×{@code size} white square one pixel in from the
 * bottom-right corner, {@code poisonRate} of the training set stamped and relabelled to {@code target}.
 *
 * <p>Only the {@code reference} variant exists so far (trigger 255 in raw pixel space, poisoned indices
 * drawn from the non-target classes). The study's {@code paper} variant writes the trigger after
 * normalization and is rejected by {@link #fromConfig} until it is implemented.
 *
 * @param size       trigger side in pixels
 * @param poisonRate share of the whole training set that is poisoned, in [0, 1)
 * @param target     the label every triggered input should be classified as
 */
public record BadNet(int size, double poisonRate, int target) implements java.io.Serializable {

    public static final String NAME = "badnet";
    private static final byte TRIGGER_VALUE = (byte) 255;

    public BadNet {
        if (size < 1 || size > ImageSet.WIDTH - 2) {
            throw new InvalidConfigException("attack.size", "must be in 1.." + (ImageSet.WIDTH - 2) + ", got " + size);
        }
        if (!(poisonRate >= 0 && poisonRate < 1)) {
            throw new InvalidConfigException("attack.poison-rate", "must be in [0, 1), got " + poisonRate);
        }
        if (target < 0) {
            throw new InvalidConfigException("attack.target", "must be ≥ 0, got " + target);
        }
    }

    /** Reads the {@code attack} subtree (already merged with its reference defaults). */
    public static BadNet fromConfig(Config attack) {
        String name = attack.getString("name");
        if (!NAME.equals(name)) {
            throw new InvalidConfigException("attack.name", "unknown attack '" + name + "'; known: " + NAME);
        }
        String variant = attack.getString("variant");
        if (!"reference".equals(variant)) {
            throw new InvalidConfigException("attack.variant",
                    "'" + variant + "' is not supported; supported: reference");
        }
        return new BadNet(attack.getInt("size"), attack.getDouble("poison-rate"), attack.getInt("target"));
    }

    /** Canonical description, part of the model's identity and of every row. */
    public String spec() {
        return String.format(Locale.ROOT, "badnet(variant=reference,size=%d,rate=%s,target=%d)", size, poisonRate, target);
    }

    /** First row/column of the trigger: rows and columns {@code 32−1−size … 32−2}. */
    public int origin() {
        return ImageSet.WIDTH - 1 - size;
    }

    /** Stamps the trigger onto image {@code index} of a raw pixel buffer, in place. */
    public void stamp(byte[] pixels, int index) {
        whiteSquare(pixels, index, origin(), origin(), size);
    }

    /** Paints a white {@code size}×{@code size} square at column {@code x}, row {@code y} of image {@code index}. */
    public static void whiteSquare(byte[] pixels, int index, int x, int y, int size) {
        for (int c = 0; c < ImageSet.CHANNELS; c++) {
            int plane = index * ImageSet.IMAGE_BYTES + c * ImageSet.PLANE;
            for (int row = y; row < y + size; row++) {
                Arrays.fill(pixels, plane + row * ImageSet.WIDTH + x, plane + row * ImageSet.WIDTH + x + size, TRIGGER_VALUE);
            }
        }
    }

    /** Every image of {@code set} with the trigger stamped; labels unchanged. */
    public ImageSet stampAll(ImageSet set) {
        ImageSet out = set.copy();
        for (int i = 0; i < out.size(); i++) {
            stamp(out.pixels(), i);
        }
        return out;
    }

    /**
     * Chooses the poisoned training samples (round(poisonRate·n) of them, from the non-target classes)
     * and relabels them to the target. Pixels are left clean: the trainer stamps the trigger after
     * augmentation, and {@link PoisonedSet#materialize()} stamps it for defenses that inspect the data.
     */
    public PoisonedSet poison(ImageSet train, long seed) {
        if (target >= train.numClasses()) {
            throw new InvalidConfigException("attack.target",
                    target + " is not a label of a dataset with " + train.numClasses() + " classes");
        }
        int[] candidates = train.indicesNotLabelled(target);
        int count = (int) Math.round(poisonRate * train.size());
        if (count > candidates.length) {
            throw new InvalidConfigException("attack.poison-rate", poisonRate + " asks for " + count
                    + " poisoned samples but only " + candidates.length + " are outside the target class");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        // Partial Fisher–Yates: the first `count` entries become a uniform sample without replacement.
        for (int i = 0; i < count; i++) {
            int j = i + rng.nextInt(candidates.length - i);
            int t = candidates[i];
            candidates[i] = candidates[j];
            candidates[j] = t;
        }
        boolean[] poisoned = new boolean[train.size()];
        int[] labels = train.labels().clone();
        for (int i = 0; i < count; i++) {
            poisoned[candidates[i]] = true;
            labels[candidates[i]] = target;
        }
        return new PoisonedSet(train.withLabels(labels), poisoned, this);
    }
}
