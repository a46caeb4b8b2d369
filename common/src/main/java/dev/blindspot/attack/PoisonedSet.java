package dev.blindspot.attack;

import dev.blindspot.data.ImageSet;

/**
 * The training set an attacker hands over: clean pixels, labels with the poisoned samples relabelled
 * to the target, and which samples are poisoned (ground truth the defenses are scored against).
 *
 * @param images   clean pixels and the (poisoned) training labels
 * @param poisoned {@code poisoned[i]} iff sample i carries the trigger
 * @param attack   the attack that produced it
 */
public record PoisonedSet(ImageSet images, boolean[] poisoned, BadNet attack) {

    public int size() {
        return images.size();
    }

    public int poisonedCount() {
        int n = 0;
        for (boolean p : poisoned) {
            n += p ? 1 : 0;
        }
        return n;
    }

    /** The samples at {@code indices}, in that order, with their poisoned flags. */
    public PoisonedSet subset(int[] indices) {
        boolean[] flags = new boolean[indices.length];
        for (int k = 0; k < indices.length; k++) {
            flags[k] = poisoned[indices[k]];
        }
        return new PoisonedSet(images.subset(indices), flags, attack);
    }

    /** The training set as the model saw it, without augmentation: poisoned samples stamped. */
    public ImageSet materialize() {
        ImageSet out = images.copy();
        for (int i = 0; i < poisoned.length; i++) {
            if (poisoned[i]) {
                attack.stamp(out.pixels(), i);
            }
        }
        return out;
    }
}
