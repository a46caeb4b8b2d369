package dev.blindspot.util;

import java.util.SplittableRandom;

/** Seeded Fisher–Yates shuffles: the one place data orders are drawn, so equal seeds give equal orders. */
public final class Shuffles {
    private Shuffles() {
    }

    /** Shuffles {@code a} in place (from the last element down, j uniform in 0..i). */
    public static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** A random permutation of 0..n−1. */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, rng);
        return p;
    }
}
