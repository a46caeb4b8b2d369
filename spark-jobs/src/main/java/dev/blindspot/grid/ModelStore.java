package dev.blindspot.grid;

import dev.blindspot.data.Normalization;
import dev.blindspot.model.Classifier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * Trained models on a Hadoop file system ({@code file://}, {@code hdfs://}, {@code s3a://}), one file per
 * training key under {@code <run output>/models/}. A model is written to a temporary name and renamed,
 * so a reader never sees half a model.
 */
final class ModelStore {
    private final String root;

    ModelStore(String root) {
        this.root = root;
    }

    Path pathOf(String key) {
        return new Path(root, key + ".zip");
    }

    String save(String key, Classifier model) {
        Path target = pathOf(key);
        Path tmp = new Path(root, "." + key + "." + UUID.randomUUID() + ".tmp");
        try {
            FileSystem fs = target.getFileSystem(new Configuration());
            fs.mkdirs(target.getParent());
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                model.save(out);
            }
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
            return target.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("writing model " + target + ": " + e.getMessage(), e);
        }
    }

    static Classifier load(String path, Normalization normalization) {
        Path p = new Path(path);
        try (InputStream in = p.getFileSystem(new Configuration()).open(p)) {
            return Classifier.load(in, normalization);
        } catch (IOException e) {
            throw new UncheckedIOException("reading model " + path + ": " + e.getMessage(), e);
        }
    }
}
