package io.emeth.worker.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * One named float32 parameter tensor of a model, row-major.
 *
 * <p>The arrays are shared, not copied (a 10M-parameter model is 40 MB), so treat a tensor as
 * immutable once built.
 */
public final class NamedTensor {

    private final String name;
    private final long[] shape;
    private final float[] data;

    /**
     * @throws IllegalArgumentException if the data length does not match the shape
     */
    public NamedTensor(String name, long[] shape, float[] data) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = Objects.requireNonNull(shape, "shape");
        this.data = Objects.requireNonNull(data, "data");
        long elements = elements(shape);
        if (elements != data.length) {
            throw new IllegalArgumentException(
                    "tensor '"
                            + name
                            + "' has shape "
                            + Arrays.toString(shape)
                            + " ("
                            + elements
                            + " values) but "
                            + data.length
                            + " values");
        }
    }

    /** Number of values a shape holds; -1 if a dimension is negative. */
    public static long elements(long[] shape) {
        long elements = 1;
        for (long dim : shape) {
            if (dim < 0) {
                return -1;
            }
            elements = Math.multiplyExact(elements, dim);
        }
        return elements;
    }

    public String name() {
        return name;
    }

    /** The shape; do not modify. */
    public long[] shape() {
        return shape;
    }

    /** The values, row-major; do not modify. */
    public float[] data() {
        return data;
    }

    /** Whether {@code other} has the same shape. */
    public boolean sameShape(NamedTensor other) {
        return Arrays.equals(shape, other.shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedTensor t
                && name.equals(t.name)
                && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
