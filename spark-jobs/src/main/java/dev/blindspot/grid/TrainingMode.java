package dev.blindspot.grid;

import com.typesafe.config.Config;
import dev.blindspot.util.InvalidConfigException;

import java.util.Locale;

/**
 * How phase 1 trains: each model in one task ({@code local}), or each model across the cluster with
 * dl4j-spark's parameter averaging ({@code distributed}), or whichever would finish sooner ({@code auto}).
 * Read from {@code training.mode} and {@code training.distributed.*}.
 *
 * @param setting            the configured mode
 * @param workers            data-parallel workers of a distributed training; 0 = every executor slot
 * @param averagingFrequency minibatches each worker fits between two averagings of the parameters
 * @param efficiency         throughput of a distributed training over {@code workers} times that of one worker,
 *                           the figure {@code auto} decides with
 */
public record TrainingMode(Setting setting, int workers, int averagingFrequency, double efficiency)
        implements java.io.Serializable {

    /** The configured mode. */
    public enum Setting { LOCAL, DISTRIBUTED, AUTO }

    /** What a grid trains with, once {@code auto} and {@code workers = 0} are resolved against the cluster. */
    public record Resolved(boolean distributed, int workers, int averagingFrequency) implements java.io.Serializable {
        public static final Resolved LOCAL = new Resolved(false, 1, 0);

        /** Canonical description: recorded in every row and, for distributed trainings, part of the model's key. */
        public String spec() {
            return distributed ? String.format(Locale.ROOT, "distributed(workers=%d,averaging=%d)", workers,
                    averagingFrequency) : "local";
        }

        /**
         * Images each worker fits per step: the training batch shared among the workers (rounded up), so that a
         * step of all workers sees one training batch, as a local step does, and an epoch has as many steps.
         */
        public int batchPerWorker(int batchSize) {
            return distributed ? (batchSize + workers - 1) / workers : batchSize;
        }
    }

    public static TrainingMode fromConfig(Config training) {
        String mode = training.getString("mode");
        Setting setting;
        try {
            setting = Setting.valueOf(mode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("training.mode", "'" + mode + "' is not one of: local, distributed, auto");
        }
        int workers = training.getInt("distributed.workers");
        if (workers < 0 || workers == 1) {
            throw new InvalidConfigException("training.distributed.workers",
                    "must be 0 (every executor slot) or ≥ 2, got " + workers);
        }
        int averaging = training.getInt("distributed.averaging-frequency");
        if (averaging < 1) {
            throw new InvalidConfigException("training.distributed.averaging-frequency", "must be ≥ 1, got " + averaging);
        }
        double efficiency = training.getDouble("distributed.efficiency");
        if (!(efficiency > 0 && efficiency <= 1)) {
            throw new InvalidConfigException("training.distributed.efficiency", "must be in (0, 1], got " + efficiency);
        }
        return new TrainingMode(setting, workers, averaging, efficiency);
    }

    /**
     * Resolves the mode for a grid of {@code trainings} models on a cluster of {@code slots} task slots.
     * {@code auto} compares the two schedules' wall times in units of one local training: local mode runs
     * the trainings side by side, ceil(trainings / slots) rounds; distributed mode runs them one after the
     * other, each {@code workers × efficiency} times faster. A training that would need all slots locally
     * anyway (trainings ≥ slots, a multiple of them) never gains from averaging.
     */
    public Resolved resolve(int trainings, int slots) {
        int w = workers > 0 ? workers : slots;
        boolean distributed = switch (setting) {
            case LOCAL -> false;
            case DISTRIBUTED -> true;
            case AUTO -> w >= 2 && trainings / (w * efficiency) < Math.ceil((double) trainings / slots);
        };
        if (!distributed) {
            return Resolved.LOCAL;
        }
        if (w < 2) {
            throw new InvalidConfigException("training.mode", "distributed training needs at least 2 workers, but the "
                    + "cluster has " + slots + " task slot(s); set training.distributed.workers or use local");
        }
        return new Resolved(true, w, averagingFrequency);
    }
}
