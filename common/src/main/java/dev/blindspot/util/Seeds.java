package dev.blindspot.util;

/**
 * Derives independent seeds from one master seed, one stream per purpose (weight init, data order,
 * augmentation, poisoning, defender split, defense). Seeds are never reused across purposes, so
 * changing e.g. the augmentation cannot shift which samples are poisoned.
 */
public final class Seeds {
    private Seeds() {
    }

    /** A seed for {@code purpose} derived from {@code master}; stable across JVMs and platforms. */
    public static long derive(long master, String purpose) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the purpose's UTF-16 chars
        for (int i = 0; i < purpose.length(); i++) {
            h ^= purpose.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix64(master * 0x9E3779B97F4A7C15L + h);
    }

    /** SplitMix64's finalizer: a bijective mix with good avalanche. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
