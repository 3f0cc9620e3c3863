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
    private static final int FEE_DIGITS = 78;
    private static final BigInteger FEE_CEILING =
            BigInteger.TEN.pow(FEE_DIGITS).subtract(BigInteger.ONE);

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
        BigInteger clamped = fee.min(FEE_CEILING).max(BigInteger.ZERO);
        // a fee in wei mostly fits a long, whose digits are cheap; BigInteger's are not
        String digits =
                clamped.bitLength() < 63 ? Long.toString(clamped.longValue()) : clamped.toString();
        String requested = Long.toString(Math.max(0, requestedAtMs));
        StringBuilder key = new StringBuilder(pool.length() + jobId.length() + 100);
        key.append(pool).append(SEP);
        // FEE_CEILING (78 nines) less the fee, padded to 78 digits: the nines' complement of the
        // fee's digits padded to 78
        for (int i = digits.length(); i < FEE_DIGITS; i++) {
            key.append('9');
        }
        for (int i = 0; i < digits.length(); i++) {
            key.append((char) ('9' - digits.charAt(i) + '0'));
        }
        key.append(SEP);
        for (int i = requested.length(); i < 19; i++) {
            key.append('0');
        }
        return key.append(requested).append(SEP).append(jobId).toString();
    }

    /** The job id of a pending-index key. */
    static String pendingJob(String pendingKey) {
        return pendingKey.substring(pendingKey.lastIndexOf(SEP) + 1);
    }
}
