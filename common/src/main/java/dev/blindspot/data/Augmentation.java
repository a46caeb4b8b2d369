package dev.blindspot.data;

import java.util.SplittableRandom;

/**
 * Training-time augmentation of raw images, in place. Applied before the trigger is stamped, so the
 * trigger's position stays fixed (DESIGN.md §3).
 */
public enum Augmentation {
    /** No augmentation (GTSRB, synthetic): flipping a sign or glyph changes what it is. */
    NONE {
        @Override
        public void apply(byte[] batch, int count, SplittableRandom rng) {
        }
    },
    /** CIFAR-10's standard augmentation: random crop of a zero-padded (4 px) image, random horizontal flip. */
    CROP_FLIP {
        @Override
        public void apply(byte[] batch, int count, SplittableRandom rng) {
            byte[] tmp = new byte[ImageSet.IMAGE_BYTES];
            for (int i = 0; i < count; i++) {
                int base = i * ImageSet.IMAGE_BYTES;
                int dy = rng.nextInt(9) - 4;
                int dx = rng.nextInt(9) - 4;
                boolean flip = rng.nextBoolean();
                for (int c = 0; c < ImageSet.CHANNELS; c++) {
                    int plane = base + c * ImageSet.PLANE;
                    for (int y = 0; y < ImageSet.HEIGHT; y++) {
                        int sy = y + dy;
                        for (int x = 0; x < ImageSet.WIDTH; x++) {
                            int sx = (flip ? ImageSet.WIDTH - 1 - x : x) + dx;
                            boolean inside = sy >= 0 && sy < ImageSet.HEIGHT && sx >= 0 && sx < ImageSet.WIDTH;
                            tmp[c * ImageSet.PLANE + y * ImageSet.WIDTH + x] =
                                    inside ? batch[plane + sy * ImageSet.WIDTH + sx] : 0;
                        }
                    }
                }
                System.arraycopy(tmp, 0, batch, base, ImageSet.IMAGE_BYTES);
            }
        }
    };

    /** Augments the first {@code count} images of {@code batch} in place. */
    public abstract void apply(byte[] batch, int count, SplittableRandom rng);
}
