package dev.blindspot.grid;

import dev.blindspot.data.Normalization;
import dev.blindspot.model.Classifier;
import dev.blindspot.model.Trainer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

/**
 * Trained models on a Hadoop file system ({@code file://}, {@code hdfs://}, {@code s3a://}), content-addressed
 * by training key under {@code <run output>/models/}: {@code <key>.zip} (the model) and {@code <key>.properties}
 * (its SHA-256 and FP32 figures). Both are written to a temporary name and renamed, the metadata last, so a
 * model counts as stored only once it is whole; a model whose checksum does not verify is never loaded.
 */
final class ModelStore {
    private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);
    private final String root;

    ModelStore(String root) {
        this.root = root;
    }

    Path modelPath(String key) {
        return new Path(root, key + ".zip");
    }

    Path metadataPath(String key) {
        return new Path(root, key + ".properties");
    }

    /**
     * Stores a trained model and its FP32 figures; returns the outcome phase 2 reads. A model with a non-finite
     * parameter is refused: its rows would read as a perfect backdoor (a diverged network is a constant
     * classifier, at the target label as often as not), and a stored one would be reused by every later run.
     */
    TrainingOutcome save(String key, Classifier model, CellWork.Evaluation fp32, double trainSeconds) {
        if (!Trainer.parametersFinite(model.network())) {
            throw new IllegalStateException("model " + key + " has non-finite parameters (a diverged training); "
                    + "not storing it");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            model.save(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("serializing model " + key + ": " + e.getMessage(), e);
        }
        byte[] zip = bytes.toByteArray();
        String sha = sha256(zip);
        Path target = modelPath(key);
        TrainingOutcome outcome = new TrainingOutcome(key, target.toString(), sha, fp32.cleanAcc(), fp32.asr(),
                fp32.asrAll(), trainSeconds, false);
        Properties meta = new Properties();
        meta.setProperty("sha256", sha);
        meta.setProperty("bytes", Long.toString(zip.length));
        meta.setProperty("clean-acc", Double.toString(outcome.cleanAcc()));
        meta.setProperty("asr", Double.toString(outcome.asr()));
        meta.setProperty("asr-all", Double.toString(outcome.asrAll()));
        meta.setProperty("train-seconds", Double.toString(trainSeconds));
        meta.setProperty("saved-at", Instant.now().toString());
        try {
            HadoopFiles.writeAtomically(target, out -> out.write(zip));
            ByteArrayOutputStream m = new ByteArrayOutputStream();
            meta.store(m, "Blindspot model " + key);
            byte[] metaBytes = m.toByteArray();
            HadoopFiles.writeAtomically(metadataPath(key), out -> out.write(metaBytes));
        } catch (IOException e) {
            throw new UncheckedIOException("writing model " + target + ": " + e.getMessage(), e);
        }
        return outcome;
    }

    /**
     * The stored model of {@code key}, if there is one whose checksum verifies. A model that is missing its
     * metadata (an interrupted write) or fails its checksum is reported and treated as absent: it is retrained.
     */
    Optional<TrainingOutcome> find(String key) {
        Path metaPath = metadataPath(key);
        Path zipPath = modelPath(key);
        try {
            FileSystem fs = metaPath.getFileSystem(new Configuration());
            if (!fs.exists(metaPath)) {
                return Optional.empty();
            }
            Properties meta = new Properties();
            try (InputStream in = fs.open(metaPath)) {
                meta.load(in);
            }
            String expected = meta.getProperty("sha256");
            if (!fs.exists(zipPath)) {
                LOG.warn("model {} is listed in {} but missing; retraining it", zipPath, metaPath);
                return Optional.empty();
            }
            byte[] zip = HadoopFiles.readAll(fs, zipPath);
            String actual = sha256(zip);
            if (!actual.equals(expected)) {
                LOG.warn("model {} fails its checksum (SHA-256 {}, expected {}); retraining it, not loading it",
                        zipPath, actual, expected);
                return Optional.empty();
            }
            return Optional.of(new TrainingOutcome(key, zipPath.toString(), expected,
                    Double.parseDouble(meta.getProperty("clean-acc")), Double.parseDouble(meta.getProperty("asr")),
                    Double.parseDouble(meta.getProperty("asr-all")),
                    Double.parseDouble(meta.getProperty("train-seconds")), true));
        } catch (IOException | RuntimeException e) {
            LOG.warn("model {} cannot be reused ({}); retraining it", zipPath, e.toString());
            return Optional.empty();
        }
    }

    /** Loads a stored model after checking it against the checksum phase 1 reported. */
    static Classifier load(TrainingOutcome trained, Normalization normalization) {
        Path p = new Path(trained.modelPath());
        try {
            byte[] zip = HadoopFiles.readAll(p.getFileSystem(new Configuration()), p);
            String actual = sha256(zip);
            if (!actual.equals(trained.sha256())) {
                throw new IOException("checksum mismatch (SHA-256 " + actual + ", expected " + trained.sha256()
                        + "); the stored model changed after it was trained");
            }
            return Classifier.load(new ByteArrayInputStream(zip), normalization);
        } catch (IOException e) {
            throw new UncheckedIOException("reading model " + p + ": " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
