package dev.blindspot.grid;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueType;
import dev.blindspot.attack.BadNet;
import dev.blindspot.datasets.DatasetSources;
import dev.blindspot.datasets.DatasetSplits;
import dev.blindspot.datasets.PreparedDataset;
import dev.blindspot.defense.Defenses;
import dev.blindspot.model.Architectures;
import dev.blindspot.model.TrainingConfig;
import dev.blindspot.nd4j.NativeKernels;
import dev.blindspot.precision.PrecisionSchemes;
import dev.blindspot.util.InvalidConfigException;
import dev.blindspot.util.Registry;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated grid: the resolved {@code blindspot} config tree read into typed values. Everything that can
 * be wrong with a config is found here, on the driver, before any Spark work: unknown names (with the
 * allowed values), empty axes, a bad seed range, out-of-range settings of any component.
 *
 * @param config     the resolved {@code blindspot} subtree
 * @param configHash hash of its canonical rendering
 */
public record GridSpec(Config config, String configHash, List<String> datasets, List<String> models,
                       List<String> precisions, List<String> defenses, List<Long> seeds, BadNet attack,
                       TrainingConfig training, TrainingMode trainingMode, int cleanSplit,
                       NativeKernels.Policy fastKernels, int nd4jThreads) {

    /** Upper bound on a seed range, so a typo like to = 1e9 fails instead of expanding a billion cells. */
    static final long MAX_SEEDS = 1_000_000;

    /** Layers {@code overrides} over {@code file} over every module's {@code reference.conf}, and validates. */
    public static GridSpec load(Config file, Config overrides) {
        Config root = overrides.withFallback(file).withFallback(ConfigFactory.defaultReference()).resolve();
        return of(root.getConfig("blindspot"));
    }

    /** Validates an already-resolved {@code blindspot} subtree. */
    public static GridSpec of(Config c) {
        c.checkValid(ConfigFactory.defaultReference().getConfig("blindspot"));
        List<String> datasets = axis(c, "grid.datasets", DatasetSources.registry());
        List<String> models = axis(c, "grid.models", Architectures.registry());
        List<String> precisions = axis(c, "grid.precisions", PrecisionSchemes.registry());
        List<String> defenses = axis(c, "grid.defenses", Defenses.registry());
        List<Long> seeds = seeds(c);
        BadNet attack = BadNet.fromConfig(c.getConfig("attack"));
        TrainingConfig training = TrainingConfig.fromConfig(c.getConfig("training"));
        TrainingMode trainingMode = TrainingMode.fromConfig(c.getConfig("training"));
        for (String d : defenses) {
            Defenses.create(d, c.getConfig("defenses")); // validates the defense's own settings
        }
        for (String d : datasets) {
            if (!c.hasPath("datasets." + d)) {
                throw new InvalidConfigException("datasets." + d, "missing: the settings of dataset '" + d + "'");
            }
            DatasetSources.byName(d).validate(c.getConfig("datasets." + d));
        }
        int cleanSplit = c.getInt("defender.clean-split");
        if (cleanSplit < 0) {
            throw new InvalidConfigException("defender.clean-split", "must be ≥ 0, got " + cleanSplit);
        }
        int calibration = c.getInt("precisions.calibration-images");
        if (calibration < 1 && (precisions.contains("int8") || precisions.contains("int4"))) {
            throw new InvalidConfigException("precisions.calibration-images",
                    "must be ≥ 1 for the calibrated schemes int8 and int4, got " + calibration);
        }
        int threads = c.getInt("runtime.nd4j-threads");
        if (threads < 0) {
            throw new InvalidConfigException("runtime.nd4j-threads", "must be ≥ 0 (0 = automatic), got " + threads);
        }
        if (duration(c, "run.cell-timeout").isNegative()) {
            throw new InvalidConfigException("run.cell-timeout", "must be ≥ 0 (0 = no limit), got " + c.getString("run.cell-timeout"));
        }
        if (duration(c, "run.progress-interval").compareTo(java.time.Duration.ofMillis(100)) < 0) {
            throw new InvalidConfigException("run.progress-interval", "must be at least 100ms, got "
                    + c.getString("run.progress-interval"));
        }
        // The hash names the experiment, not where it is written: run.* (output and model directories,
        // progress, timeouts) can change between a run and its resumption without making it another grid.
        String hash = Hashes.of(c.withoutPath("run").root().render(ConfigRenderOptions.concise()));
        return new GridSpec(c, hash, datasets, models, precisions, defenses, seeds, attack, training, trainingMode, cleanSplit,
                NativeKernels.Policy.parse(c.getString("runtime.fast-kernels")), threads);
    }

    private static java.time.Duration duration(Config c, String key) {
        try {
            return c.getDuration(key);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new InvalidConfigException(key, "must be a duration such as 90s, 30m or 2h, got " + c.getValue(key).render());
        }
    }

    /** The time limit of one cell; {@link java.time.Duration#ZERO} for none. */
    public java.time.Duration cellTimeout() {
        return config.getDuration("run.cell-timeout");
    }

    private static List<String> axis(Config c, String key, Registry<?, ?> registry) {
        List<String> values;
        try {
            values = c.getStringList(key);
        } catch (ConfigException.WrongType e) {
            throw new InvalidConfigException(key, "must be a list of names; allowed: " + String.join(", ", registry.names()));
        }
        if (values.isEmpty()) {
            throw new InvalidConfigException(key, "is empty; give at least one of: " + String.join(", ", registry.names()));
        }
        for (String v : values) {
            if (!registry.contains(v)) {
                throw new InvalidConfigException(key, registry.unknown(v));
            }
        }
        return List.copyOf(new LinkedHashSet<>(values));
    }

    /** {@code grid.seeds}: a list ({@code [1, 2, 3]}) or an inclusive range ({@code {from = 1, to = 100}}). */
    static List<Long> seeds(Config c) {
        String key = "grid.seeds";
        ConfigValueType type = c.getValue(key).valueType();
        List<Long> seeds = new ArrayList<>();
        if (type == ConfigValueType.LIST) {
            seeds.addAll(new LinkedHashSet<>(c.getLongList(key)));
        } else if (type == ConfigValueType.OBJECT) {
            Config range = c.getConfig(key);
            if (!range.hasPath("from") || !range.hasPath("to")) {
                throw new InvalidConfigException(key, "a range needs both 'from' and 'to', e.g. {from = 1, to = 100}");
            }
            long from = range.getLong("from");
            long to = range.getLong("to");
            if (to < from) {
                throw new InvalidConfigException(key + ".to", "is " + to + ", below from = " + from);
            }
            if (to - from + 1 > MAX_SEEDS) {
                throw new InvalidConfigException(key, "range of " + (to - from + 1) + " seeds exceeds " + MAX_SEEDS);
            }
            for (long s = from; s <= to; s++) {
                seeds.add(s);
            }
        } else {
            throw new InvalidConfigException(key, "must be a list [1, 2] or a range {from = 1, to = 10}, got " + type);
        }
        if (seeds.isEmpty()) {
            throw new InvalidConfigException(key, "is empty; give at least one seed");
        }
        return List.copyOf(seeds);
    }

    /** The {@code datasets.<name>} subtree. */
    public Config datasetConfig(String dataset) {
        return config.getConfig("datasets." + dataset);
    }

    /** The canonical text of this spec's config, for shipping to executors. */
    public String render() {
        return config.root().render(ConfigRenderOptions.concise());
    }

    /** Re-reads a spec shipped as {@link #render()} text. */
    public static GridSpec parse(String rendered) {
        return of(ConfigFactory.parseString(rendered));
    }

    /**
     * Reads every dataset of the grid once and writes its prepared form under {@code dir} (skipped where a
     * file with the same content is there): what executors load.
     */
    public Map<String, PreparedDataset.Ref> prepareDatasets(String dir) {
        // Read every dataset before writing any, so bad input in one leaves nothing behind.
        Map<String, DatasetSplits> loaded = new LinkedHashMap<>();
        for (String d : datasets) {
            loaded.put(d, DatasetSources.byName(d).load(datasetConfig(d)));
        }
        checkAgainst(loaded);
        Map<String, PreparedDataset.Ref> refs = new LinkedHashMap<>();
        loaded.forEach((d, data) -> refs.put(d, PreparedDataset.write(data, dir)));
        return refs;
    }

    /**
     * What can only be checked once the data is known: the clean split and the poisoned samples fit in every
     * training set, each defense gets the clean images it needs, and every model has the penultimate feature
     * vertex the feature-reading defenses look for. Throws {@link InvalidConfigException} naming the key.
     */
    void checkAgainst(Map<String, DatasetSplits> loaded) {
        loaded.forEach((name, d) -> {
            // Splitting off the clean set and poisoning validate defender.clean-split and attack.poison-rate.
            dev.blindspot.experiment.PreparedData.prepare(d.train(), attack, cleanSplit, seeds.get(0));
        });
        List<dev.blindspot.defense.Defense> built = new ArrayList<>();
        for (String d : defenses) {
            dev.blindspot.defense.Defense defense = Defenses.create(d, config.getConfig("defenses"));
            built.add(defense);
            if (cleanSplit < defense.minimumCleanImages()) {
                throw new InvalidConfigException("defender.clean-split", "is " + cleanSplit + ", but defense '" + d
                        + "' needs at least " + defense.minimumCleanImages() + " clean images");
            }
        }
        if (built.stream().anyMatch(dev.blindspot.defense.Defense::readsFeatures)) {
            for (String m : models) {
                var vertices = Architectures.byName(m).build(2, training, 0).getConfiguration().getVertices();
                if (!vertices.containsKey(dev.blindspot.model.Architecture.FEATURES)) {
                    throw new InvalidConfigException("grid.models", "model '" + m + "' has no penultimate vertex '"
                            + dev.blindspot.model.Architecture.FEATURES + "', which the defenses "
                            + built.stream().filter(dev.blindspot.defense.Defense::readsFeatures)
                                    .map(dev.blindspot.defense.Defense::name).toList() + " read");
                }
            }
        }
    }

    /** The grid's trainings in local mode (each model in one task); see {@link #trainings(Map, TrainingMode.Resolved)}. */
    public List<TrainingJob> trainings(Map<String, PreparedDataset.Ref> data) {
        return trainings(data, TrainingMode.Resolved.LOCAL);
    }

    /**
     * One training per distinct (dataset, model, seed); attack and training settings are grid-wide. The
     * key hashes everything that determines the model, the dataset by its content, and a distributed
     * training's mode (workers, averaging), which changes the model. Local mode adds nothing to the key.
     * "training-v2": the networks train channels-last since then, with their BatchNorm statistics summed in
     * another order (same function, other float rounding), so v1's stored models are not reused.
     */
    public List<TrainingJob> trainings(Map<String, PreparedDataset.Ref> data, TrainingMode.Resolved mode) {
        List<TrainingJob> jobs = new ArrayList<>();
        for (String d : datasets) {
            String fingerprint = d + ":" + data.get(d).contentHash();
            for (String m : models) {
                for (long seed : seeds) {
                    List<String> parts = new ArrayList<>(List.of("training-v2", fingerprint, m, attack.spec(),
                            training.spec(), "clean-split=" + cleanSplit, Long.toString(seed)));
                    if (mode.distributed()) {
                        parts.add(mode.spec());
                    }
                    jobs.add(new TrainingJob(Hashes.of(parts.toArray(String[]::new)), d, m, seed, mode));
                }
            }
        }
        return jobs;
    }

    /** The cross product trainings × precisions × defenses. */
    public List<Cell> cells(List<TrainingJob> trainings) {
        List<Cell> cells = new ArrayList<>();
        int calibration = config.getInt("precisions.calibration-images");
        for (TrainingJob t : trainings) {
            for (String p : precisions) {
                String spec = PrecisionSchemes.byName(p).specification();
                for (String d : defenses) {
                    String defenseSettings = config.getConfig("defenses").getConfig("\"" + d + "\"").root()
                            .render(ConfigRenderOptions.concise());
                    cells.add(new Cell(Hashes.of("cell-v2", t.key(), spec, "calibration=" + calibration, d,
                            defenseSettings), t, p, d));
                }
            }
        }
        return cells;
    }
}
