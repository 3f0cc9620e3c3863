package io.emeth.worker.models;

/**
 * A model directory that cannot be used: a file missing, unreadable or inconsistent with the
 * others. The message names the directory and the file.
 */
public final class InvalidModelException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
