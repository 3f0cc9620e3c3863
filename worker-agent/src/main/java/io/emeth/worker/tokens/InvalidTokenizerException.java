package io.emeth.worker.tokens;

/** A {@code tokenizer.json} that is missing or cannot be used; the message names the file. */
public final class InvalidTokenizerException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidTokenizerException(String message) {
        super(message);
    }

    public InvalidTokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
