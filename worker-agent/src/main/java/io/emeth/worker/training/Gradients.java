package io.emeth.worker.training;

import ai.djl.ndarray.NDArray;

/**
 * Frees the parameters' gradients after an optimiser step, as PyTorch's {@code
 * zero_grad(set_to_none=True)} does, so that they do not exist during the next forward pass.
 *
 * <p>A gradient is as large as its parameter (1.42 GB for GPT-2 medium's 355M fp32 parameters). DJL
 * zeroes gradients in place after each update, so they stay allocated through the next forward
 * pass, when the activations saved for backward are at their largest too; freed, backward allocates
 * them again as it reaches each parameter, while it frees those activations. DJL 0.36 has no call
 * that drops a gradient, so each parameter's native tensor is replaced by a detached one over the
 * same storage ({@code detach()}: same values, no gradient) that requires a gradient again, under
 * the same Java array ({@code NDArray.intern}): every cached reference to the parameter (DJL's
 * {@code Parameter}, the {@code Trainer}'s parameter store, the clipper's list) keeps working, and
 * the old tensor goes with its gradient. The arithmetic is unchanged: backward into an absent
 * gradient writes {@code g} where it would have added {@code g} to zeros.
 */
final class Gradients {

    private Gradients() {}

    /** Frees {@code parameter}'s gradient; its values stay. */
    static void release(NDArray parameter) {
        NDArray detached = parameter.stopGradient();
        detached.setRequiresGradient(true);
        // parameter's handle now points at the detached tensor; the old one (and its gradient) is
        // deleted and the detached array's Java object closed
        parameter.intern(detached);
    }
}
