package dev.blindspot.experiment;

import dev.blindspot.attack.BadNet;
import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.ImageSet;
import dev.blindspot.util.InvalidConfigException;
import dev.blindspot.util.Seeds;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The data of one (dataset, attack, seed): the defender's clean split, held out of the training set
 * before poisoning (the model never trains on it), and the poisoned training set built from the rest.
 * Deterministic from the seed, so phase 1 (training) and phase 2 (defenses) rebuild the same sets
 * instead of shipping them between tasks.
 *
 * @param cleanSplit clean held-out training images the defender owns
 * @param training   the poisoned training set the model is trained on
 */
public record PreparedData(ImageSet cleanSplit, PoisonedSet training) {

    public static PreparedData prepare(ImageSet train, BadNet attack, int cleanSplitSize, long seed) {
        if (cleanSplitSize < 0 || cleanSplitSize >= train.size()) {
            throw new InvalidConfigException("defender.clean-split", "must be in 0.." + (train.size() - 1)
                    + " for a training set of " + train.size() + " images, got " + cleanSplitSize);
        }
        int n = train.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "clean-split"));
        for (int i = 0; i < cleanSplitSize; i++) {
            int j = i + rng.nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] clean = Arrays.copyOfRange(perm, 0, cleanSplitSize);
        int[] rest = Arrays.copyOfRange(perm, cleanSplitSize, n);
        Arrays.sort(clean);
        Arrays.sort(rest);
        PoisonedSet poisoned = attack.poison(train.subset(rest), Seeds.derive(seed, "poison"));
        return new PreparedData(train.subset(clean), poisoned);
    }
}
