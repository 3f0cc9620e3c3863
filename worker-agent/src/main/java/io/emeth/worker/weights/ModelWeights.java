package io.emeth.worker.weights;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The parameters of a model as plain Java arrays, in the model's parameter order.
 *
 * <p>Weights travel between workers as bytes (see {@link WeightsCodec}) and are averaged in Java,
 * away from the engine, so the average is bit-for-bit the same on every machine and its sha256 can
 * be checked by anyone who recomputes it.
 */
public final class ModelWeights implements TensorSource {

    private final List<NamedTensor> tensors;
    private final Map<String, NamedTensor> byName;

    /**
     * @throws IllegalArgumentException if two tensors share a name or the list is empty
     */
    public ModelWeights(List<NamedTensor> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("model weights need at least one tensor");
        }
        Map<String, NamedTensor> index = new LinkedHashMap<>();
        for (NamedTensor tensor : tensors) {
            if (index.put(tensor.name(), Objects.requireNonNull(tensor)) != null) {
                throw new IllegalArgumentException(
                        "model weights name tensor '" + tensor.name() + "' twice");
            }
        }
        this.tensors = List.copyOf(tensors);
        this.byName = Collections.unmodifiableMap(index);
    }

    /** The tensors in model order. */
    public List<NamedTensor> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}, or null. */
    public NamedTensor get(String name) {
        return byName.get(name);
    }

    @Override
    public WeightsLayout layout() {
        List<WeightsLayout.Entry> entries = new ArrayList<>(tensors.size());
        for (NamedTensor t : tensors) {
            entries.add(new WeightsLayout.Entry(t.name(), t.shape()));
        }
        return new WeightsLayout(entries);
    }

    @Override
    public float[] read(int index) {
        return tensors.get(index).data();
    }

    /** The tensor names in model order. */
    public List<String> names() {
        return new ArrayList<>(byName.keySet());
    }

    /** Total number of values. */
    public long parameterCount() {
        long count = 0;
        for (NamedTensor tensor : tensors) {
            count += tensor.data().length;
        }
        return count;
    }

    /**
     * A difference in layout between two sets of weights.
     *
     * @param parameter the first parameter that differs, or null when only the order differs
     * @param description what differs, e.g. "lacks parameter 'x'"
     */
    public record Mismatch(String parameter, String description) {}

    /** The first way {@code other}'s tensor names, order or shapes differ from this, if any. */
    public Optional<Mismatch> layoutMismatch(ModelWeights other) {
        return layout().mismatch(other.layout());
    }

    /**
     * Checks that {@code other} has the same tensor names, order and shapes as this.
     *
     * @param what names {@code other} in the error, e.g. "shard 2"
     * @throws IllegalArgumentException naming the first tensor that differs
     */
    public void requireSameLayout(ModelWeights other, String what) {
        layoutMismatch(other)
                .ifPresent(
                        m -> {
                            throw new IllegalArgumentException(what + " " + m.description());
                        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelWeights w && tensors.equals(w.tensors);
    }

    @Override
    public int hashCode() {
        return tensors.hashCode();
    }

    @Override
    public String toString() {
        return "ModelWeights[" + tensors.size() + " tensors, " + parameterCount() + " values]";
    }
}
