package dev.blindspot.grid;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The grid on a real Spark standalone cluster on loopback: a master and two workers, each its own JVM started
 * from Spark's own {@code Master} and {@code Worker} classes, each worker launching its executor as a further
 * JVM. One worker is killed ({@code kill -9}) while phase 2 runs; the grid still completes with every cell
 * exactly once, and its rows equal those of the same grid on {@code local[2]}. Before that, with both workers
 * alive, a model is trained across the two executors with {@code training.mode = distributed}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    @TempDir
    static Path tmp;
    static final List<Process> daemons = new ArrayList<>();
    static String masterUrl;
    static Process worker1;

    /** The grid the driver-kill test uses: 2 trainings, 12 cells of a few seconds each. */
    private static final List<String> GRID = DriverKillTest.GRID.subList(2, DriverKillTest.GRID.size());

    /** The test JVM's classpath as entries (surefire passes it beside a manifest-only jar). */
    static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    static List<String> jvmOptions() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:+Ignore") || a.startsWith("-Djdk.reflect"))
                .toList();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process daemon(String name, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions());
        cmd.addAll(List.of("-Xmx512m", "-cp", classpath()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        // Workers build their executors' command line from SPARK_HOME; ours has an empty jars/ directory and the
        // executors get the whole classpath through spark.executor.extraClassPath instead.
        pb.environment().put("SPARK_HOME", tmp.resolve("spark-home").toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        daemons.add(p);
        return p;
    }

    /** Waits until the master's status page (its JSON view) lists {@code workers} alive workers. */
    private static void awaitWorkers(int webUi, int workers) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        String status = "";
        while (System.nanoTime() < deadline) {
            try (java.io.InputStream in = new java.net.URL("http://127.0.0.1:" + webUi + "/json/").openStream()) {
                status = new String(in.readAllBytes());
                if (status.contains("\"aliveworkers\" : " + workers)) {
                    return;
                }
            } catch (java.io.IOException notYetUp) {
                status = notYetUp.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the master did not list " + workers + " alive workers: " + status + "\n"
                + Files.readString(tmp.resolve("master.log")));
    }

    @BeforeAll
    static void startCluster() throws Exception {
        Files.createDirectories(tmp.resolve("spark-home").resolve("jars"));
        int port = freePort();
        int webUi = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        daemon("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--webui-port", Integer.toString(webUi)));
        for (int w = 1; w <= 2; w++) {
            Process p = daemon("worker" + w, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--cores", "1", "--memory", "3g", "--webui-port", Integer.toString(freePort()),
                    "--work-dir", tmp.resolve("work" + w).toString(), masterUrl));
            if (w == 1) {
                worker1 = p;
            }
        }
        awaitWorkers(webUi, 2);
    }

    @AfterAll
    static void stopCluster() {
        daemons.forEach(Process::destroyForcibly);
        for (String k : List.of("spark.executor.extraClassPath", "spark.executor.extraJavaOptions",
                "spark.executor.memory", "spark.executor.cores", "spark.cores.max", "spark.driver.host")) {
            System.clearProperty(k);
        }
    }

    /** Executors are other JVMs: they get the classpath, Java 17's opens and the memory limits from the app. */
    private static void executorSettings() {
        System.setProperty("spark.executor.extraClassPath", classpath());
        System.setProperty("spark.executor.extraJavaOptions", String.join(" ", jvmOptions())
                + " -Dorg.bytedeco.javacpp.maxbytes=2g -Dorg.bytedeco.javacpp.maxphysicalbytes=5g");
        System.setProperty("spark.executor.memory", "2g");
        System.setProperty("spark.executor.cores", "1");
        System.setProperty("spark.cores.max", "2");
        System.setProperty("spark.driver.host", "127.0.0.1");
    }

    /** The settings of {@link DistributedTrainingTest}'s accuracy comparison (4 classes, rate 0.05, 6 epochs). */
    private static final List<String> LEARNING_GRID = DistributedTrainingTest.GRID.subList(3, DistributedTrainingTest.GRID.size());

    /** The grid on {@code local[2]} in this JVM, the reference the cluster's results are compared with. */
    private static String runOnLocal2(String name, List<String> grid) {
        String out = tmp.resolve(name).toString();
        List<String> args = new ArrayList<>(List.of("run", "--master", "local[2]", "--out", out, "--no-report"));
        args.addAll(grid);
        GridEndToEndTest.execute(args);
        return out;
    }

    @Test
    @Order(1)
    void aModelTrainedAcrossTheClusterReachesTheAccuracyOfALocalTraining() throws Exception {
        String local = runOnLocal2("learn-local", LEARNING_GRID);
        executorSettings();
        String cluster = tmp.resolve("learn-cluster").toString();
        List<String> clusterArgs = new ArrayList<>(List.of("run", "--master", masterUrl, "--out", cluster, "--no-report",
                "--set", "training.mode=distributed"));
        clusterArgs.addAll(LEARNING_GRID);
        String stdout = GridEndToEndTest.execute(clusterArgs);
        assertTrue(stdout.contains("training: distributed(workers=2,averaging=1) (training.mode = distributed, 2 task slots)"),
                stdout);
        SparkSession reader = SparkSession.builder().master("local[1]").appName("compare").getOrCreate();
        try {
            Row onLocal = reader.read().parquet(local + "/cells").select("cleanAccFp32", "trainingMode").first();
            Row onCluster = reader.read().parquet(cluster + "/cells").select("cleanAccFp32", "trainingMode").first();
            assertEquals("local", onLocal.getString(1));
            assertEquals("distributed(workers=2,averaging=1)", onCluster.getString(1));
            System.out.printf("clean accuracy: trained locally %.4f, across the standalone cluster %.4f%n",
                    onLocal.getDouble(0), onCluster.getDouble(0));
            assertTrue(onLocal.getDouble(0) > 0.8, "the local model learned (4 classes): " + onLocal);
            assertTrue(onCluster.getDouble(0) >= onLocal.getDouble(0) - 0.05,
                    "distributed on the cluster lost more than 5 points: " + onCluster + " vs local " + onLocal);
        } finally {
            reader.stop();
        }
    }

    @Test
    @Order(2)
    void theGridSurvivesALostWorkerAndMatchesLocalMode() throws Exception {
        String local = runOnLocal2("local", GRID);
        executorSettings();
        long appsBefore1 = appDirs(tmp.resolve("work1"));
        long appsBefore2 = appDirs(tmp.resolve("work2"));
        String cluster = tmp.resolve("cluster").toString();
        Path rowsDir = Path.of(cluster, "rows");
        Thread killer = new Thread(() -> {
            try {
                while (DriverKillTest.rowCount(rowsDir) < 2) {
                    Thread.sleep(50);
                }
                worker1.destroyForcibly(); // SIGKILL; its executor exits when it loses its worker
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        killer.setDaemon(true);
        killer.start();
        List<String> clusterArgs = new ArrayList<>(List.of("run", "--master", masterUrl, "--out", cluster, "--no-report"));
        clusterArgs.addAll(GRID);
        String stdout = GridEndToEndTest.execute(clusterArgs);
        killer.join(1000);
        assertTrue(!worker1.isAlive(), "worker 1 was killed during the run:\n" + stdout);
        // A worker makes <work dir>/<app id>/<executor id>/ for each executor it launches.
        String where;
        try (Stream<Path> all = Files.walk(tmp, 3)) {
            where = stdout + "\n" + all.map(Path::toString).filter(p -> p.contains("work")).toList();
        }
        assertEquals(appsBefore1 + 1, appDirs(tmp.resolve("work1")), "worker 1 ran an executor before it was killed:\n" + where);
        assertEquals(appsBefore2 + 1, appDirs(tmp.resolve("work2")), "worker 2 ran an executor:\n" + where);
        assertTrue(stdout.contains("12 cells: 12 ok, 0 error"), stdout);

        SparkSession reader = SparkSession.builder().master("local[1]").appName("compare").getOrCreate();
        try {
            Map<String, String> onCluster = byCell(reader, cluster);
            Map<String, String> onLocal = byCell(reader, local);
            assertEquals(12, onCluster.size(), "every cell exactly once");
            assertEquals(onLocal, onCluster, "the cluster's rows equal local mode's");
        } finally {
            reader.stop();
        }
    }

    private static long appDirs(Path workDir) throws java.io.IOException {
        if (!Files.isDirectory(workDir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(workDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("app-")).count();
        }
    }

    private static Map<String, String> byCell(SparkSession s, String out) {
        Map<String, String> m = new TreeMap<>();
        for (Row r : s.read().parquet(out + "/cells").select("cellId", "cleanAccFp32", "asrFp32", "cleanAcc", "asr",
                "asrAll", "detected", "scores").collectAsList()) {
            m.put(r.getString(0), r.toString());
        }
        return m;
    }
}
