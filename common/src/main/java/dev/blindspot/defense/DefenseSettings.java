package dev.blindspot.defense;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.blindspot.util.InvalidConfigException;

import java.util.List;
import java.util.function.Function;

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
        int v = read(name, config::getInt, "must be an integer");
        if (v < min) {
            throw new InvalidConfigException(key(name), "must be >= " + min + ", got " + v);
        }
        return v;
    }

    /** A number between lo and hi, each bound included or not; infinite bounds allowed. */
    double doubleIn(String name, double lo, double hi, boolean includeLo, boolean includeHi) {
        double v = read(name, config::getDouble, "must be a number");
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
        String v = read(name, config::getString, "must be one of " + String.join(", ", allowed));
        if (!List.of(allowed).contains(v)) {
            throw new InvalidConfigException(key(name), "must be one of " + String.join(", ", allowed)
                    + ", got '" + v + "'");
        }
        return v;
    }

    /** The value at {@code name}, or an error naming the full key when it is missing or of the wrong type. */
    private <T> T read(String name, Function<String, T> getter, String wrongType) {
        try {
            return getter.apply(name);
        } catch (ConfigException.Missing e) {
            throw new InvalidConfigException(key(name), "is missing");
        } catch (ConfigException.WrongType e) {
            throw new InvalidConfigException(key(name), wrongType);
        }
    }
}
