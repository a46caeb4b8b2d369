package dev.blindspot.grid;

import dev.blindspot.cli.Blindspot;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The grid on a real HDFS ({@link MiniDFSCluster}): a CIFAR-10 directory is copied into HDFS, the grid reads it
 * from {@code hdfs://} and writes its prepared data, models and Parquet there; the metrics equal those of
 * the same grid reading the same files from {@code file://}.
 */
class HdfsGridTest {
    @TempDir
    static java.nio.file.Path tmp;
    static MiniDFSCluster cluster;
    static String hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        System.setProperty("spark.ui.enabled", "false");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        hdfs = "hdfs://localhost:" + cluster.getNameNodePort();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    /** A small CIFAR-10 directory in the official format: the first images of the real subset. */
    private static java.nio.file.Path smallCifar() throws Exception {
        java.nio.file.Path src = java.nio.file.Path.of(System.getProperty("blindspot-test.shared", "../shared"),
                "datasets", "cifar-10-batches-bin");
        java.nio.file.Path dir = Files.createDirectories(tmp.resolve("cifar-small"));
        Files.write(dir.resolve("data_batch_1.bin"), java.util.Arrays.copyOf(Files.readAllBytes(src.resolve("data_batch_1.bin")), 600 * 3073));
        Files.write(dir.resolve("test_batch.bin"), java.util.Arrays.copyOf(Files.readAllBytes(src.resolve("test_batch.bin")), 200 * 3073));
        return dir;
    }

    private static Map<String, String> runGrid(String data, String out) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Blindspot.execute(new String[] {"run", "--master", "local[2]", "--out", out,
            "--set", "grid.datasets=[cifar10]", "--set", "datasets.cifar10.path=\"" + data + "\"",
            "--set", "grid.seeds=[1]", "--set", "grid.precisions=[fp32,int4-sim]",
            "--set", "defender.clean-split=50", "--set", "training={epochs=1,batch-size=64}"},
                new PrintWriter(o, true), new PrintWriter(e, true));
        assertEquals(0, code, o + "\n" + e);
        SparkSession spark = SparkSession.builder().master("local[1]").appName("read").getOrCreate();
        try {
            List<Row> rows = spark.read().parquet(out + "/cells")
                    .select("cellId", "status", "cleanAccFp32", "cleanAcc", "asr", "asrAll", "detected", "scores")
                    .collectAsList();
            return rows.stream().collect(Collectors.toMap(r -> r.getString(0), Row::toString));
        } finally {
            spark.stop();
        }
    }

    @Test
    void dataModelsAndResultsOnHdfsGiveTheSameMetricsAsTheLocalFileSystem() throws Exception {
        java.nio.file.Path local = smallCifar();
        FileSystem fs = FileSystem.get(java.net.URI.create(hdfs), new Configuration());
        fs.copyFromLocalFile(new Path(local.toUri()), new Path(hdfs + "/data/cifar"));
        assertTrue(fs.exists(new Path(hdfs + "/data/cifar/data_batch_1.bin")));

        Map<String, String> fromHdfs = runGrid(hdfs + "/data/cifar", hdfs + "/runs/a");
        Map<String, String> fromFile = runGrid(local.toUri().toString(), tmp.resolve("runs-b").toUri().toString());
        assertEquals(2, fromHdfs.size());
        assertTrue(fromHdfs.values().stream().allMatch(r -> r.contains(",ok,")), fromHdfs.toString());
        assertEquals(fromFile, fromHdfs);
        assertTrue(fs.listStatus(new Path(hdfs + "/runs/a/models")).length >= 1, "models stored on HDFS");
        assertTrue(fs.listStatus(new Path(hdfs + "/runs/a/prepared")).length >= 1, "prepared data on HDFS");
        new File(tmp.toFile(), "unused").delete();
    }
}
