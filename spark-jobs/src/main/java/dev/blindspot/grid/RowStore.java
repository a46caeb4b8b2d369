package dev.blindspot.grid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.blindspot.result.CellResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The rows of finished cells, one file per cell ({@code <out>/rows/<cell id>.json}), each written by its task
 * the moment the cell ends and renamed into place whole. This directory, not the Parquet, is what makes a
 * grid resumable: a driver killed mid-run loses no finished cell, a task retried after a lost executor
 * replaces its own file instead of adding a row, and the Parquet is rebuilt from it at the end of every run
 * with each cell exactly once.
 */
final class RowStore implements java.io.Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String dir;

    RowStore(String dir) {
        this.dir = dir;
    }

    String dir() {
        return dir;
    }

    /** Stores the row of a finished cell (ok or error), replacing an earlier row of the same cell. */
    void save(CellResult row) {
        Path target = new Path(dir, row.getCellId() + ".json");
        try {
            byte[] bytes = JSON.writeValueAsBytes(row);
            HadoopFiles.writeAtomically(target, out -> out.write(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("writing row " + target + ": " + e.getMessage(), e);
        }
    }

    static CellResult parse(String json) throws JsonProcessingException {
        return JSON.readValue(json, CellResult.class);
    }

    static String render(CellResult row) {
        try {
            return JSON.writeValueAsString(row);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a CellResult always renders as JSON", e);
        }
    }

    /**
     * Every stored row, read in parallel by Spark. A file that does not parse (written by an incompatible
     * version, or damaged) is skipped with a warning on the executor: its cell counts as not done and runs again.
     */
    JavaRDD<CellResult> read(JavaSparkContext jsc) {
        if (!exists()) {
            return jsc.emptyRDD();
        }
        return jsc.wholeTextFiles(dir + "/*.json").flatMap(file -> {
            try {
                return java.util.List.of(parse(file._2())).iterator();
            } catch (JsonProcessingException e) {
                org.slf4j.LoggerFactory.getLogger(RowStore.class)
                        .warn("row file {} does not parse ({}); its cell runs again", file._1(), e.getOriginalMessage());
                return java.util.Collections.<CellResult>emptyIterator();
            }
        });
    }

    private boolean exists() {
        Path p = new Path(dir);
        try {
            return p.getFileSystem(new Configuration()).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Forgets every stored row ({@code --fresh}). */
    void clear() {
        Path p = new Path(dir);
        try {
            FileSystem fs = p.getFileSystem(new Configuration());
            fs.delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + dir + ": " + e.getMessage(), e);
        }
    }
}
