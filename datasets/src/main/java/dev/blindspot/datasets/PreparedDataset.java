package dev.blindspot.datasets;

import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compact form a dataset is read into once per grid, on the driver, and that every executor loads
 * (once per JVM) instead of parsing the original files again: one file holding both splits as raw
 * {@code uint8} pixels and byte labels, with the normalization and augmentation. Written under the run's
 * output directory through the Hadoop file system, named by the data's content hash, atomically.
 *
 * <p>Layout (big-endian): magic {@code BSDS}, version 1, name (UTF), augmentation (UTF), 3 means,
 * 3 stds, then per split: number of classes, count, labels (one byte each), pixels (3072 bytes each).
 */
public final class PreparedDataset {
    private static final int MAGIC = 0x42534453; // "BSDS"
    private static final int VERSION = 1;
    private static final Map<String, DatasetSplits> CACHE = new ConcurrentHashMap<>();

    /** Where a prepared dataset is, its identity, and its number of classes (for cost estimates). */
    public record Ref(String name, String path, String contentHash, int numClasses) implements java.io.Serializable {
    }

    private PreparedDataset() {
    }

    /**
     * Loads the dataset from its source and writes its prepared form under {@code dir}, unless a file with
     * the same content hash is there already.
     */
    public static Ref prepare(String name, com.typesafe.config.Config config, String dir) {
        return write(DatasetSources.byName(name).load(config), dir);
    }

    /** Writes loaded data's prepared form under {@code dir}, unless a file with its content hash is there. */
    public static Ref write(DatasetSplits data, String dir) {
        String name = data.name();
        String hash = data.contentHash();
        Path target = new Path(dir, name + "-" + hash + ".bsds");
        try {
            FileSystem fs = target.getFileSystem(new Configuration());
            if (!fs.exists(target)) {
                fs.mkdirs(target.getParent());
                Path tmp = new Path(dir, "." + name + "-" + UUID.randomUUID() + ".tmp");
                try (FSDataOutputStream raw = fs.create(tmp, false);
                     DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20))) {
                    write(data, out);
                }
                if (!fs.rename(tmp, target) && !fs.exists(target)) {
                    throw new IOException("could not rename " + tmp + " to " + target);
                }
                fs.delete(tmp, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing prepared dataset " + target + ": " + e.getMessage(), e);
        }
        CACHE.putIfAbsent(target.toString(), data);
        return new Ref(name, target.toString(), hash, data.train().numClasses());
    }

    /** The prepared dataset at {@code path}, read once per JVM. */
    public static DatasetSplits load(String path) {
        return CACHE.computeIfAbsent(path, PreparedDataset::read);
    }

    static void write(DatasetSplits d, DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(d.name());
        out.writeUTF(d.augmentation().name());
        for (float f : d.normalization().mean()) {
            out.writeFloat(f);
        }
        for (float f : d.normalization().std()) {
            out.writeFloat(f);
        }
        for (ImageSet s : new ImageSet[] {d.train(), d.test()}) {
            out.writeInt(s.numClasses());
            out.writeInt(s.size());
            byte[] labels = new byte[s.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (byte) s.label(i);
            }
            out.write(labels);
            out.write(s.pixels());
        }
    }

    private static DatasetSplits read(String path) {
        Path p = new Path(path);
        try (InputStream raw = p.getFileSystem(new Configuration()).open(p);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20))) {
            if (in.readInt() != MAGIC) {
                throw new DatasetFormatException(path, "not a prepared Blindspot dataset");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new DatasetFormatException(path, "prepared-dataset version " + version + ", expected " + VERSION);
            }
            String name = in.readUTF();
            Augmentation aug = Augmentation.valueOf(in.readUTF());
            float[] mean = {in.readFloat(), in.readFloat(), in.readFloat()};
            float[] std = {in.readFloat(), in.readFloat(), in.readFloat()};
            ImageSet[] splits = new ImageSet[2];
            for (int k = 0; k < 2; k++) {
                int classes = in.readInt();
                int n = in.readInt();
                byte[] lb = new byte[n];
                in.readFully(lb);
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = lb[i] & 0xFF;
                }
                byte[] pixels = new byte[n * ImageSet.IMAGE_BYTES];
                in.readFully(pixels);
                splits[k] = new ImageSet(pixels, labels, classes);
            }
            return new DatasetSplits(name, splits[0], splits[1], new Normalization(mean, std), aug);
        } catch (IOException e) {
            throw new UncheckedIOException("reading prepared dataset " + path + ": " + e.getMessage(), e);
        }
    }
}
