package dev.blindspot.grid;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.UUID;

/** Whole-file reads and atomic writes on any Hadoop file system, for the model and row stores. */
final class HadoopFiles {
    private HadoopFiles() {
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes to a hidden temporary name beside {@code target}, then renames it over {@code target}: a reader
     * sees the old file, no file, or the whole new one, never a part. Hidden names ("." prefix) are skipped
     * by Hadoop's and Spark's listings, so a temporary file left by a killed writer is never read as data.
     */
    static void writeAtomically(Path target, Writer writer) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        FileSystem fs = target.getFileSystem(new Configuration());
        fs.mkdirs(target.getParent());
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            writer.write(out);
        }
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, false);
            throw new IOException("could not rename " + tmp + " to " + target);
        }
    }

    static byte[] readAll(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }
}
