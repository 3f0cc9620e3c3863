package io.emeth.worker.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The names, order and shapes of a model's tensors without their values: what a download, a shard
 * or a weights file is checked against while the values stay on disk (GPT-2 medium's are 1.4 GB).
 */
public final class WeightsLayout {

    /** One tensor's name and shape. */
    public record Entry(String name, long[] shape) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(shape, "shape");
        }

        /** Number of values. */
        public long elements() {
            return NamedTensor.elements(shape);
        }
    }

    private final List<Entry> entries;
    private final Map<String, Integer> index = new HashMap<>();

    /**
     * @throws IllegalArgumentException if two entries share a name or the list is empty
     */
    public WeightsLayout(List<Entry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("model weights need at least one tensor");
        }
        this.entries = List.copyOf(entries);
        for (int i = 0; i < this.entries.size(); i++) {
            if (index.put(this.entries.get(i).name(), i) != null) {
                throw new IllegalArgumentException(
                        "model weights name tensor '" + this.entries.get(i).name() + "' twice");
            }
        }
    }

    /** The entries in model order. */
    public List<Entry> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    public Entry get(int i) {
        return entries.get(i);
    }

    /** The position of the tensor called {@code name}, or -1. */
    public int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    /** The tensor names in model order. */
    public List<String> names() {
        List<String> names = new ArrayList<>(entries.size());
        entries.forEach(e -> names.add(e.name()));
        return names;
    }

    /** Total number of values. */
    public long parameterCount() {
        long count = 0;
        for (Entry e : entries) {
            count += e.elements();
        }
        return count;
    }

    /**
     * The first way {@code other}'s tensor names, order or shapes differ from this, if any ({@link
     * ModelWeights#layoutMismatch} too).
     */
    public Optional<ModelWeights.Mismatch> mismatch(WeightsLayout other) {
        for (Entry expected : entries) {
            int at = other.indexOf(expected.name());
            if (at < 0) {
                return Optional.of(
                        new ModelWeights.Mismatch(
                                expected.name(), "lacks parameter '" + expected.name() + "'"));
            }
            long[] actual = other.get(at).shape();
            if (!Arrays.equals(expected.shape(), actual)) {
                return Optional.of(
                        new ModelWeights.Mismatch(
                                expected.name(),
                                "parameter '"
                                        + expected.name()
                                        + "' has shape "
                                        + Arrays.toString(actual)
                                        + ", expected "
                                        + Arrays.toString(expected.shape())));
            }
        }
        for (Entry extra : other.entries) {
            if (indexOf(extra.name()) < 0) {
                return Optional.of(
                        new ModelWeights.Mismatch(
                                extra.name(), "has unknown parameter '" + extra.name() + "'"));
            }
        }
        if (!other.names().equals(names())) {
            return Optional.of(
                    new ModelWeights.Mismatch(
                            null, "lists its parameters in another order than the model"));
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WeightsLayout other) || other.size() != size()) {
            return false;
        }
        return mismatch(other).isEmpty();
    }

    @Override
    public int hashCode() {
        return names().hashCode();
    }

    @Override
    public String toString() {
        return "WeightsLayout[" + entries.size() + " tensors, " + parameterCount() + " values]";
    }
}
