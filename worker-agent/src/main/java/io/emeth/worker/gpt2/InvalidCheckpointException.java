package io.emeth.worker.gpt2;

/**
 * A model directory that cannot be loaded: a bad {@code config.json}, a {@code model.safetensors}
 * with a bad header, a missing tensor, a wrong shape or an unknown dtype. The message names the
 * file and, where one is at fault, the tensor.
 */
public final class InvalidCheckpointException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidCheckpointException(String message) {
        super(message);
    }

    public InvalidCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
