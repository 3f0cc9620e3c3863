package io.emeth.worker.weights;

import java.io.IOException;

/**
 * Weights handed out one tensor at a time, so that a writer (an upload, a result file) holds one
 * tensor at a time instead of the whole model: a live model, a weights file, or weights in memory.
 */
public interface TensorSource {

    /** The tensors' names, order and shapes. */
    WeightsLayout layout();

    /**
     * The values of tensor {@code index} (of {@link #layout()}), row-major; the caller may keep
     * them, the source does not reuse the array.
     */
    float[] read(int index) throws IOException;
}
