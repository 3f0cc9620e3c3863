package io.emeth.chain.indexer;

import io.emeth.chain.rpc.RpcException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The size of the next {@code eth_getLogs} block range: starts at the configured maximum, halves
 * when the node refuses a range as too large (result-count or range limits differ per provider),
 * and doubles back after a run of successes. Pure.
 */
final class RangeSizer {
    /** Successes in a row before the range grows again. */
    static final int GROW_AFTER = 4;

    /** Error messages providers use for "this range is too large". */
    private static final Pattern LIMIT =
            Pattern.compile(
                    "range|limit|too many|too large|too big|exceed|more than|response size"
                            + "|max results|timeout|timed out");

    private final int max;
    private int size;
    private int successes;

    RangeSizer(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max block range " + max + " is not positive");
        }
        this.max = max;
        this.size = max;
    }

    int size() {
        return size;
    }

    /** The last block of a range starting at {@code from}, not beyond {@code limit}. */
    long end(long from, long limit) {
        return Math.min(limit, from + size - 1);
    }

    void succeeded() {
        if (++successes >= GROW_AFTER && size < max) {
            size = (int) Math.min(max, (long) size * 2);
            successes = 0;
        }
    }

    /**
     * Halves the range after a refusal.
     *
     * @return false when the range is already a single block (the failure is not about size)
     */
    boolean shrink() {
        successes = 0;
        if (size == 1) {
            return false;
        }
        size = Math.max(1, size / 2);
        return true;
    }

    /** Whether {@code e} says the range was too large (or too slow to answer). */
    static boolean isRangeLimit(IOException e) {
        if (e instanceof InterruptedIOException) {
            return true; // a read timeout: the answer was too large to produce in time
        }
        if (e instanceof RpcException rpc) {
            return rpc.code() == -32005
                    || LIMIT.matcher(rpc.rpcMessage().toLowerCase(Locale.ROOT)).find();
        }
        return false;
    }
}
