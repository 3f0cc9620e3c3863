package io.emeth.contracts;

import java.math.BigInteger;

/**
 * The job status codes of EmethCore, as stored on chain and carried by its {@code Status} event.
 *
 * <p>The codes are part of the node's interface with the contract (and the original node's
 * database), so they never change; {@link #fromCode(long)} turns a code read from the chain into
 * the name operators see in {@code joblist}.
 */
public enum JobStatus {
    REQUESTED(0),
    /** Defined by the original network, never set by EmethCore. */
    ASSIGNED(1),
    PROCESSING(2),
    SUBMITTED(3),
    VERIFIED(4),
    REJECTED(5),
    CANCELED(6),
    TIMEOUT(7),
    FAILED(8),
    DECLINED(9);

    private static final JobStatus[] BY_CODE = values();

    private final int code;

    JobStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True once the job is settled on chain: no call changes it any more. */
    public boolean isFinal() {
        return switch (this) {
            case VERIFIED, REJECTED, CANCELED, TIMEOUT, FAILED, DECLINED -> true;
            default -> false;
        };
    }

    /**
     * The status with this code.
     *
     * @throws IllegalArgumentException naming the code when it is not 0..9
     */
    public static JobStatus fromCode(long code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException(
                    "unknown job status code " + code + " (EmethCore uses 0..9)");
        }
        return BY_CODE[(int) code];
    }

    /** As {@link #fromCode(long)}, for the {@code uint256} the web3j wrappers return. */
    public static JobStatus fromCode(BigInteger code) {
        if (code == null) {
            throw new IllegalArgumentException("job status code is null");
        }
        if (code.bitLength() > 31) {
            throw new IllegalArgumentException(
                    "unknown job status code " + code + " (EmethCore uses 0..9)");
        }
        return fromCode(code.longValue());
    }
}
