package dev.blindspot.defense;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.blindspot.util.InvalidConfigException;

/**
 * Reads one defense's config subtree ({@code defenses."<name>"}) with range checks whose errors name the full
 * key, so a bad threshold or budget is reported before any cell runs.
 */
final class DefenseSettings {
    private final Config config;
    private final String prefix;

    DefenseSettings(String defense, Config config) {
        this.config = config;
        this.prefix = "defenses." + defense + ".";
    }

    String key(String name) {
        return prefix + name;
    }

    /** An integer ≥ {@code min}. */
    int intAtLeast(String name, int min) {
        int v;
        try {
            v = config.getInt(name);
        } catch (ConfigException.Missing e) {
            throw new InvalidConfigException(key(name), "is missing");
        } catch (ConfigException.WrongType e) {
            throw new InvalidConfigException(key(name), "must be an integer");
        }
        if (v < min) {
            throw new InvalidConfigException(key(name), "must be >= " + min + ", got " + v);
        }
        return v;
    }

    /** A number between lo and hi, each bound included or not; infinite bounds allowed. */
    double doubleIn(String name, double lo, double hi, boolean includeLo, boolean includeHi) {
        double v;
        try {
            v = config.getDouble(name);
        } catch (ConfigException.Missing e) {
            throw new InvalidConfigException(key(name), "is missing");
        } catch (ConfigException.WrongType e) {
            throw new InvalidConfigException(key(name), "must be a number");
        }
        boolean okLo = includeLo ? v >= lo : v > lo;
        boolean okHi = includeHi ? v <= hi : v < hi;
        if (!(okLo && okHi) || Double.isNaN(v)) {
            throw new InvalidConfigException(key(name), "must be in " + (includeLo ? "[" : "(") + lo + ", " + hi
                    + (includeHi ? "]" : ")") + ", got " + v);
        }
        return v;
    }

    /** A number > 0. */
    double positive(String name) {
        return doubleIn(name, 0, Double.POSITIVE_INFINITY, false, false);
    }

    /** A share in (0, 1]. */
    double share(String name) {
        return doubleIn(name, 0, 1, false, true);
    }

    /** A string that is one of {@code allowed}. */
    String oneOf(String name, String... allowed) {
        String v;
        try {
            v = config.getString(name);
        } catch (ConfigException.Missing e) {
            throw new InvalidConfigException(key(name), "is missing");
        } catch (ConfigException.WrongType e) {
            throw new InvalidConfigException(key(name), "must be one of " + String.join(", ", allowed));
        }
        if (!java.util.List.of(allowed).contains(v)) {
            throw new InvalidConfigException(key(name), "must be one of " + String.join(", ", allowed)
                    + ", got '" + v + "'");
        }
        return v;
    }
}
