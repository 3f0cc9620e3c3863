package io.emeth.worker.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Scalar operands for the forward pass that live as long as the step.
 *
 * <p>DJL's {@code NDArray.mul(Number)} (and its kin) wraps the number in an array over a Java
 * direct buffer, runs {@code mul(NDArray)} and closes that array at once. PyTorch's autograd keeps
 * the scalar for the backward pass ({@code MulBackward} saves the other operand), but once the
 * array is closed nothing in Java holds its buffer, so a garbage collection between forward and
 * backward freed the scalar's memory while the graph still pointed at it: backward read freed
 * memory, and the step's gradients turned NaN or zero now and then (the intermittent "training
 * diverged: loss is NaN at epoch 1 batch 1–3" of issue #11, more often the more the JVM collected
 * and allocated direct memory). An array made here belongs to the step's manager, which closes it
 * only after backward.
 */
public final class Scalars {

    private Scalars() {}

    /**
     * {@code value} as a 0-d array of {@code manager} (the step's), exactly as {@code
     * NDArray.mul(Number)} would have made it, but kept until the manager closes.
     */
    public static NDArray of(NDManager manager, Number value) {
        return manager.create(value);
    }
}
