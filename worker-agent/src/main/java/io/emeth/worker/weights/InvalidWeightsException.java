package io.emeth.worker.weights;

/** Weights bytes that are not a valid {@link WeightsCodec} encoding, or do not fit the model. */
public final class InvalidWeightsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidWeightsException(String message) {
        super(message);
    }
}
