package io.emeth.deploy;

/**
 * A failure caused by the machine or the operator's input (a port in use, Node.js missing, a bad
 * file), reported as one line naming the fix instead of a stack trace.
 */
public final class OperatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OperatorException(String message) {
        super(message);
    }

    public OperatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
