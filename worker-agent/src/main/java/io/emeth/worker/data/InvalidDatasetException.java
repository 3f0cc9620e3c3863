package io.emeth.worker.data;

/**
 * A data set that cannot be trained on: empty, too small, not UTF-8 text, or an unknown language.
 */
public final class InvalidDatasetException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidDatasetException(String message) {
        super(message);
    }
}
