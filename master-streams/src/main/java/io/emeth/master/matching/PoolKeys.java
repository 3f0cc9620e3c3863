package io.emeth.master.matching;

import java.math.BigInteger;
import java.util.Arrays;

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
        // below 2^258 a fee is below 10^78 - 1: only a longer one is compared with the ceiling
        BigInteger clamped =
                fee.signum() < 0
                        ? BigInteger.ZERO
                        : fee.bitLength() <= 258 ? fee : fee.min(FEE_CEILING);
        String digits = digits(clamped);
        String requested = Long.toString(Math.max(0, requestedAtMs));
        // filled in place: appending its ~180 characters one by one cost 3 % of a match
        char[] key = new char[pool.length() + FEE_DIGITS + 19 + jobId.length() + 3];
        pool.getChars(0, pool.length(), key, 0);
        int pos = pool.length();
        key[pos++] = SEP.charAt(0);
        // FEE_CEILING (78 nines) less the fee, padded to 78 digits: the nines' complement of the
        // fee's digits padded to 78
        int pad = FEE_DIGITS - digits.length();
        Arrays.fill(key, pos, pos + pad, '9');
        pos += pad;
        for (int i = 0; i < digits.length(); i++) {
            key[pos++] = (char) ('9' - digits.charAt(i) + '0');
        }
        key[pos++] = SEP.charAt(0);
        pad = 19 - requested.length();
        Arrays.fill(key, pos, pos + pad, '0');
        pos += pad;
        requested.getChars(0, requested.length(), key, pos);
        pos += requested.length();
        key[pos++] = SEP.charAt(0);
        jobId.getChars(0, jobId.length(), key, pos);
        return new String(key);
    }

    /**
     * The decimal digits of a non-negative value. A fee in wei is mostly below 2^127 (10^19 wei are
     * 10 EMT): those are divided in long arithmetic, 9 digits at a time, BigInteger's toString
     * costing several times as much.
     */
    static String digits(BigInteger value) {
        int bits = value.bitLength();
        if (bits < 63) {
            return Long.toString(value.longValue());
        }
        if (bits > 127) {
            return value.toString();
        }
        long hi = value.shiftRight(64).longValue();
        long lo = value.longValue();
        long[] limbs = {hi >>> 32, hi & 0xFFFF_FFFFL, lo >>> 32, lo & 0xFFFF_FFFFL};
        char[] out = new char[45]; // 5 groups of 9 digits > 2^127
        int pos = out.length;
        while ((limbs[0] | limbs[1] | limbs[2] | limbs[3]) != 0) {
            long rem = 0;
            for (int i = 0; i < limbs.length; i++) {
                long cur = (rem << 32) | limbs[i]; // rem < 10^9 < 2^30: no overflow
                limbs[i] = cur / 1_000_000_000L;
                rem = cur % 1_000_000_000L;
            }
            for (int k = 0; k < 9; k++) {
                out[--pos] = (char) ('0' + rem % 10);
                rem /= 10;
            }
        }
        while (out[pos] == '0') {
            pos++; // bits >= 63: never all zeros
        }
        return new String(out, pos, out.length - pos);
    }

    /** The job id of a pending-index key. */
    static String pendingJob(String pendingKey) {
        return pendingKey.substring(pendingKey.lastIndexOf(SEP) + 1);
    }
}
