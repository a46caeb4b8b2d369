package dev.blindspot.util;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Name → factory for one axis of the grid (datasets, architectures, precision schemes, defenses).
 * An unknown name fails fast with the list of known names, so a typo in a config never reaches Spark.
 *
 * @param <A> what a factory receives (usually the component's own config subtree)
 * @param <T> what it builds
 */
public final class Registry<A, T> {
    private final String axis;
    private final Map<String, Function<A, T>> factories = new LinkedHashMap<>();

    public Registry(String axis) {
        this.axis = axis;
    }

    public Registry<A, T> register(String name, Function<A, T> factory) {
        if (factories.putIfAbsent(name, factory) != null) {
            throw new IllegalStateException(axis + " '" + name + "' is registered twice");
        }
        return this;
    }

    public boolean contains(String name) {
        return factories.containsKey(name);
    }

    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(factories.keySet()));
    }

    public T create(String name, A argument) {
        Function<A, T> factory = factories.get(name);
        if (factory == null) {
            throw new IllegalArgumentException(unknown(name));
        }
        return factory.apply(argument);
    }

    /** The message for an unknown name: the axis, the name, and every allowed value. */
    public String unknown(String name) {
        return "unknown " + axis + " '" + name + "'; known: " + String.join(", ", factories.keySet());
    }
}
