package dev.blindspot.datasets;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset directory on any Hadoop file system ({@code file://}, {@code hdfs://}, {@code s3a://}, or a
 * plain local path). Readers go through this instead of java.io so the same code reads every scheme.
 */
public final class DataFiles {
    private final Path root;
    private final FileSystem fs;

    public DataFiles(String root) {
        this(root, new Configuration());
    }

    public DataFiles(String root, Configuration conf) {
        this.root = new Path(root);
        try {
            this.fs = this.root.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot open its file system: " + e.getMessage(), e);
        }
    }

    public String root() {
        return root.toString();
    }

    public Path resolve(String relative) {
        return relative.isEmpty() ? root : new Path(root, relative);
    }

    public boolean exists(String relative) {
        try {
            return fs.exists(resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(resolve(relative) + ": " + e.getMessage(), e);
        }
    }

    public boolean isDirectory(String relative) {
        try {
            Path p = resolve(relative);
            return fs.exists(p) && fs.getFileStatus(p).isDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException(resolve(relative) + ": " + e.getMessage(), e);
        }
    }

    /** Names of the entries of a directory, sorted. */
    public List<String> list(String relative) {
        try {
            FileStatus[] st = fs.listStatus(resolve(relative));
            List<String> names = new ArrayList<>();
            for (FileStatus s : st) {
                names.add(s.getPath().getName());
            }
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(resolve(relative) + ": " + e.getMessage(), e);
        }
    }

    /** The whole file; a missing file is a {@link DatasetFormatException} naming it. */
    public byte[] read(String relative) {
        Path p = resolve(relative);
        try {
            if (!fs.exists(p)) {
                throw new DatasetFormatException(p.toString(), "missing");
            }
            long len = fs.getFileStatus(p).getLen();
            if (len > Integer.MAX_VALUE - 8) {
                throw new DatasetFormatException(p.toString(), "too large (" + len + " bytes)");
            }
            byte[] data = new byte[(int) len];
            try (InputStream in = fs.open(p)) {
                int off = 0;
                while (off < data.length) {
                    int r = in.read(data, off, data.length - off);
                    if (r < 0) {
                        throw new DatasetFormatException(p.toString(), "ended after " + off + " of " + len + " bytes");
                    }
                    off += r;
                }
            }
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
