package dev.blindspot.cli;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a command. A session already running in this JVM (a notebook's, a test's, an
 * embedding application's) is used as it is and left running; otherwise one is started on {@code master}
 * (unless spark-submit chose the master) and stopped by {@link #close()}.
 */
final class Sessions implements AutoCloseable {
    final SparkSession spark;
    private final boolean ours;

    Sessions(String appName, String master) {
        ours = !running(SparkSession.getActiveSession()) && !running(SparkSession.getDefaultSession());
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        // spark-submit passes the master as a system property; then --master must not override it.
        if (System.getProperty("spark.master") == null) {
            builder.master(master);
        }
        spark = builder.getOrCreate();
    }

    /** A stopped session can linger as the thread's active one; it does not count (getOrCreate replaces it). */
    private static boolean running(scala.Option<SparkSession> session) {
        return session.isDefined() && !session.get().sparkContext().isStopped();
    }

    @Override
    public void close() {
        if (ours) {
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
    }
}
