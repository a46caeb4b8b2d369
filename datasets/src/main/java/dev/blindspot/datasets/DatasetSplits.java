package dev.blindspot.datasets;

import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A loaded dataset.
 *
 * @param name          the dataset's registry name
 * @param train         the full training split (the defender's clean split is carved out of it later)
 * @param test          the evaluation test split
 * @param normalization per-channel mean/std applied to every batch
 * @param augmentation  training-time augmentation
 */
public record DatasetSplits(String name, ImageSet train, ImageSet test, Normalization normalization,
                            Augmentation augmentation) {

    /**
     * SHA-256 of everything a model trained on this data depends on (labels, pixels, normalization,
     * augmentation), as 16 hex digits: the dataset's part of a model's identity.
     */
    public String contentHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(augmentation.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.allocate(24);
            for (float f : normalization.mean()) {
                b.putFloat(f);
            }
            for (float f : normalization.std()) {
                b.putFloat(f);
            }
            md.update(b.array());
            for (ImageSet s : new ImageSet[] {train, test}) {
                ByteBuffer head = ByteBuffer.allocate(8).putInt(s.size()).putInt(s.numClasses());
                md.update(head.array());
                ByteBuffer labels = ByteBuffer.allocate(4 * s.size());
                for (int l : s.labels()) {
                    labels.putInt(l);
                }
                md.update(labels.array());
                md.update(s.pixels());
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
