package io.emeth.common.eth;

/**
 * A signature that cannot even be checked: not hex, not 65 bytes, a bad {@code v}, an {@code r} or
 * {@code s} out of range, or no public key recoverable. A well-formed signature by the wrong key is
 * not this exception: recovery then returns a different address.
 */
public final class InvalidSignatureException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidSignatureException(String message) {
        super(message);
    }
}
