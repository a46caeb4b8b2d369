package dev.blindspot.datasets;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The opt-in download against an HTTP server on loopback serving an archive in CIFAR-10's official layout. */
class DatasetDownloadTest {
    @TempDir
    Path tmp;
    HttpServer server;
    byte[] archive;

    @BeforeEach
    void serve() throws Exception {
        archive = cifarArchive();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/cifar.tar.gz", ex -> respond(ex, archive));
        server.createContext("/truncated.tar.gz", ex -> respond(ex, java.util.Arrays.copyOf(archive, archive.length / 2)));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, byte[] body) throws IOException {
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    /** cifar-10-batches-bin/ with 3 training and 2 test records, as the official tar.gz nests it. */
    private static byte[] cifarArchive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            for (String[] f : new String[][] {{"data_batch_1.bin", "3"}, {"test_batch.bin", "2"}, {"batches.meta.txt", "0"}}) {
                byte[] data = new byte[Integer.parseInt(f[1]) * 3073];
                for (int i = 0; i < data.length; i += 3073) {
                    data[i] = (byte) (i / 3073);
                }
                if (data.length == 0) {
                    data = "airplane\n".getBytes();
                }
                TarArchiveEntry e = new TarArchiveEntry("cifar-10-batches-bin/" + f[0]);
                e.setSize(data.length);
                tar.putArchiveEntry(e);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private Config config(Path target, String file, String checksum) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/" + file;
        return RealSubsets.config("cifar10", target)
                .withValue("download", ConfigValueFactory.fromAnyRef(true))
                .withValue("urls", ConfigValueFactory.fromIterable(List.of(url)))
                .withValue("checksums", ConfigValueFactory.fromIterable(List.of(checksum)));
    }

    private String sha256(byte[] b) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private void assertNothingLeft(Path target) throws IOException {
        assertFalse(Files.exists(target), "nothing may be written at the dataset path");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count(), "no temporary files left behind");
        }
    }

    @Test
    void downloadsVerifiesUnpacksAndLoads() throws Exception {
        Path target = tmp.resolve("cifar");
        DatasetSplits d = new Cifar10().load(config(target, "cifar.tar.gz", sha256(archive)));
        assertEquals(3, d.train().size());
        assertEquals(2, d.test().size());
        assertEquals(2, d.train().label(2));
        assertTrue(Files.exists(target.resolve("test_batch.bin")));
        // present now: a second load does not download again, even with a wrong checksum configured
        assertEquals(3, new Cifar10().load(config(target, "cifar.tar.gz", "sha256:00")).train().size());
    }

    @Test
    void aWrongChecksumUnpacksNothing() throws Exception {
        Path target = tmp.resolve("cifar");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> new Cifar10().load(config(target, "cifar.tar.gz", "md5:0123456789abcdef0123456789abcdef")));
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("cifar.tar.gz"), e.getMessage());
        assertNothingLeft(target);
    }

    @Test
    void aTruncatedArchiveLeavesNothing() throws Exception {
        Path target = tmp.resolve("cifar");
        byte[] truncated = java.util.Arrays.copyOf(archive, archive.length / 2);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> new Cifar10().load(config(target, "truncated.tar.gz", sha256(truncated))));
        assertTrue(e.getMessage().contains("truncated.tar.gz"), e.getMessage());
        assertNothingLeft(target);
    }
}
