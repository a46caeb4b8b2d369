package dev.blindspot.datasets;

import com.typesafe.config.Config;
import dev.blindspot.util.InvalidConfigException;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Opt-in download ({@code datasets.<name>.download = true}) of a dataset's official archives into its
 * (local) {@code path} when that directory does not exist yet: each archive is fetched to a temporary file,
 * its checksum from the config ({@code md5:…} or {@code sha256:…}) is verified before anything is unpacked,
 * the archives are unpacked into a temporary directory, and the directory holding the dataset's layout is
 * moved to {@code path} in one rename. Any failure leaves {@code path} absent and no temporary file behind.
 */
public final class DatasetDownload {
    private DatasetDownload() {
    }

    /**
     * @param marker   a file or directory (relative) whose presence identifies the dataset's root directory
     *                 inside the unpacked archives, e.g. {@code test_batch.bin}
     * @param relocate files (by name) that an archive keeps outside that root, and the directory inside the
     *                 root they belong in (GTSRB ships its test annotations in a separate archive)
     */
    static void ensurePresent(String dataset, Config config, String marker, java.util.Map<String, String> relocate) {
        if (!config.hasPath("download") || !config.getBoolean("download")) {
            return;
        }
        String pathValue = DatasetPaths.require(config, dataset);
        URI uri = URI.create(pathValue.contains(":") ? pathValue : "file:" + Path.of(pathValue).toAbsolutePath());
        if (!"file".equals(uri.getScheme())) {
            throw new InvalidConfigException("datasets." + dataset + ".download",
                    "downloads go to a local path, but datasets." + dataset + ".path is " + pathValue);
        }
        Path target = Path.of(uri);
        if (Files.exists(target)) {
            return;
        }
        List<String> urls = config.getStringList("urls");
        List<String> checksums = config.getStringList("checksums");
        if (urls.isEmpty() || urls.size() != checksums.size()) {
            throw new InvalidConfigException("datasets." + dataset + ".urls",
                    "give one checksum (datasets." + dataset + ".checksums) per URL; got " + urls.size() + " URLs and "
                            + checksums.size() + " checksums");
        }
        Path parent = target.toAbsolutePath().getParent();
        Path work = parent.resolve("." + target.getFileName() + ".download-" + UUID.randomUUID());
        try {
            Files.createDirectories(work);
            Path unpacked = Files.createDirectories(work.resolve("unpacked"));
            for (int i = 0; i < urls.size(); i++) {
                Path archive = work.resolve("archive-" + i);
                fetch(urls.get(i), archive);
                verify(archive, checksums.get(i), urls.get(i));
                unpack(archive, unpacked, urls.get(i));
            }
            Path root = findRoot(unpacked, marker).orElseThrow(() -> new DatasetFormatException(String.join(", ", urls),
                    "the archives hold no directory with " + marker));
            for (var r : relocate.entrySet()) {
                Path dest = root.resolve(r.getValue()).resolve(r.getKey());
                if (!Files.exists(dest)) {
                    try (Stream<Path> found = Files.walk(unpacked)) {
                        Optional<Path> src = found.filter(p -> p.getFileName().toString().equals(r.getKey())).findFirst();
                        if (src.isPresent()) {
                            Files.createDirectories(dest.getParent());
                            Files.move(src.get(), dest);
                        }
                    }
                }
            }
            Files.move(root, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("downloading " + dataset + " to " + target + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(work);
        }
    }

    private static void fetch(String url, Path to) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        try {
            HttpResponse<Path> r = client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofFile(to));
            if (r.statusCode() != 200) {
                throw new DatasetFormatException(url, "HTTP status " + r.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url, e);
        }
    }

    private static void verify(Path file, String checksum, String url) throws IOException {
        int colon = checksum.indexOf(':');
        String algorithm = colon < 0 ? "" : checksum.substring(0, colon).toLowerCase(Locale.ROOT);
        String want = colon < 0 ? "" : checksum.substring(colon + 1).toLowerCase(Locale.ROOT);
        String jca = switch (algorithm) {
            case "md5" -> "MD5";
            case "sha256" -> "SHA-256";
            default -> throw new InvalidConfigException("checksums", "'" + checksum + "' is not md5:HEX or sha256:HEX");
        };
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance(jca);
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!got.equals(want)) {
                throw new DatasetFormatException(url, algorithm + " checksum " + got + " does not match the configured " + want);
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Unpacks a .tar.gz/.tgz/.tar or .zip archive (by its magic bytes), refusing entries that escape. */
    private static void unpack(Path archive, Path into, String url) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
             ArchiveInputStream in = open(raw, url)) {
            for (ArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                Path out = into.resolve(e.getName()).normalize();
                if (!out.startsWith(into)) {
                    throw new DatasetFormatException(url, "archive entry " + e.getName() + " escapes the target directory");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new DatasetFormatException(url, "cannot unpack: " + e.getMessage());
        }
    }

    private static ArchiveInputStream open(InputStream raw, String url) throws IOException {
        raw.mark(4);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new TarArchiveInputStream(new GzipCompressorInputStream(raw));
        }
        if (b0 == 'P' && b1 == 'K') {
            return new ZipArchiveInputStream(raw);
        }
        return new TarArchiveInputStream(raw);
    }

    private static Optional<Path> findRoot(Path unpacked, String marker) throws IOException {
        try (Stream<Path> s = Files.walk(unpacked)) {
            return s.filter(p -> Files.exists(p.resolve(marker))).min(Comparator.comparingInt(Path::getNameCount));
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover hidden temp directory is harmless and named as such
        }
    }
}
