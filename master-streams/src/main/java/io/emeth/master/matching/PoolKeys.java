package io.emeth.master.matching;

import java.math.BigInteger;

/**
 * Keys of the pool's stores, built so that a byte-order range scan yields what matching needs:
 * pending jobs highest fee first, earliest request first on equal fees ({@code pool|inverted
 * fee|requestedAt|jobId}). Free workers are indexed in memory ({@link FreeIndex}). Numbers are
 * zero-padded decimal so that lexicographic order is numeric order.
 */
final class PoolKeys {
    static final String SEP = "|";
    private static final BigInteger FEE_CEILING = BigInteger.TEN.pow(78).subtract(BigInteger.ONE);

    private PoolKeys() {}

    static String prefix(String pool) {
        return pool + SEP;
    }

    static String worker(String pool, String worker) {
        return pool + SEP + worker;
    }

    static String job(String pool, String jobId) {
        return pool + SEP + jobId;
    }

    static String pending(String pool, BigInteger fee, long requestedAtMs, String jobId) {
        BigInteger inverted = FEE_CEILING.subtract(fee.min(FEE_CEILING).max(BigInteger.ZERO));
        return pool
                + SEP
                + pad(inverted.toString(), 78)
                + SEP
                + pad(Math.max(0, requestedAtMs), 19)
                + SEP
                + jobId;
    }

    /** The job id of a pending-index key. */
    static String pendingJob(String pendingKey) {
        return pendingKey.substring(pendingKey.lastIndexOf(SEP) + 1);
    }

    private static String pad(long value, int width) {
        return pad(Long.toString(value), width);
    }

    private static String pad(String digits, int width) {
        return "0".repeat(Math.max(0, width - digits.length())) + digits;
    }
}
