package io.emeth.master.rules;

import io.emeth.contracts.EmethRules;
import java.math.BigInteger;

/**
 * The matching arithmetic of the architecture's "Matching" section, exact (BigInteger, no floating
 * point): a job's estimated gas from its data set size, the power capacity it requires to finish
 * within its time limit, and whether a set of workers finishes it before the deadline with the
 * 3,600 s margin.
 *
 * <p>Units as in the original node: gas × 10^6 / capacity is the processing time in seconds; {@code
 * R = gas × 10^6 / T} with {@code T = deadline − requestedAt} in whole seconds (integer division,
 * as the original's BigNumber did).
 */
public final class JobMath {
    /** Data sets below 4 KiB are refused. */
    public static final long MIN_DATASET_BYTES = 4_096;

    /** A job must be finished this long before its deadline (3,600 s). */
    public static final long DEADLINE_MARGIN_MS = 3_600_000;

    /** Bytes per MB for getEstimatedGas (binary MB, as the original's size / 1024 / 1024). */
    public static final long BYTES_PER_MB = 1_048_576;

    private static final BigInteger MICRO = BigInteger.valueOf(1_000_000);
    private static final BigInteger NANO = BigInteger.valueOf(1_000_000_000);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private JobMath() {}

    /** Whole MB of a data set (floor), the unit getEstimatedGas takes. */
    public static long sizeMb(long datasetSizeBytes) {
        if (datasetSizeBytes < 0) {
            throw new IllegalArgumentException("datasetSizeBytes is negative: " + datasetSizeBytes);
        }
        return datasetSizeBytes / BYTES_PER_MB;
    }

    /** {@code getEstimatedGas(max(1, sizeMB), 5822)}. */
    public static long gas(long datasetSizeBytes) {
        return EmethRules.estimatedGas(
                        Math.max(1, sizeMb(datasetSizeBytes)), EmethRules.GPT_COMPLEXITY)
                .min(LONG_MAX)
                .longValueExact();
    }

    /**
     * {@code R = gas × 10^6 / T}, T in whole seconds; saturates at Long.MAX_VALUE.
     *
     * @throws IllegalArgumentException when the time limit is not positive
     */
    public static long requiredCapacity(long gas, long timeLimitSeconds) {
        if (timeLimitSeconds <= 0) {
            throw new IllegalArgumentException(
                    "time limit must be positive, was " + timeLimitSeconds + " s");
        }
        return BigInteger.valueOf(gas)
                .multiply(MICRO)
                .divide(BigInteger.valueOf(timeLimitSeconds))
                .min(LONG_MAX)
                .longValueExact();
    }

    /**
     * Whether workers of summed {@code capacity} finish {@code remainingEpochs} of {@code epochs}
     * before the deadline with the margin: {@code now + gas × 10^6 / capacity × remaining / epochs
     * < deadline − 3600 s}, evaluated exactly in milliseconds.
     */
    public static boolean meetsDeadline(
            long nowMs, long gas, long capacity, long deadlineMs, int remainingEpochs, int epochs) {
        if (capacity <= 0 || epochs <= 0) {
            return false;
        }
        if (remainingEpochs <= 0) {
            return nowMs < deadlineMs - DEADLINE_MARGIN_MS;
        }
        // gas·10^9·remaining / (capacity·epochs) < deadline − margin − now   (all in ms)
        BigInteger slack =
                BigInteger.valueOf(deadlineMs)
                        .subtract(BigInteger.valueOf(DEADLINE_MARGIN_MS))
                        .subtract(BigInteger.valueOf(nowMs));
        if (slack.signum() <= 0) {
            return false;
        }
        BigInteger work =
                BigInteger.valueOf(gas)
                        .multiply(NANO)
                        .multiply(BigInteger.valueOf(remainingEpochs));
        BigInteger budget =
                slack.multiply(BigInteger.valueOf(capacity)).multiply(BigInteger.valueOf(epochs));
        return work.compareTo(budget) < 0;
    }

    /**
     * The least summed capacity that {@link #meetsDeadline} accepts for the same arguments, or
     * {@code Long.MAX_VALUE} when no capacity can (the margin has passed). Selecting workers until
     * their capacity reaches this is the same test as {@code meetsDeadline}, done once.
     */
    public static long capacityForDeadline(
            long nowMs, long gas, long deadlineMs, int remainingEpochs, int epochs) {
        if (epochs <= 0) {
            return Long.MAX_VALUE;
        }
        long fast = capacityForDeadlineInLongs(nowMs, gas, deadlineMs, remainingEpochs, epochs);
        if (fast >= 0) {
            return fast;
        }
        BigInteger slack =
                BigInteger.valueOf(deadlineMs)
                        .subtract(BigInteger.valueOf(DEADLINE_MARGIN_MS))
                        .subtract(BigInteger.valueOf(nowMs));
        if (slack.signum() <= 0) {
            return Long.MAX_VALUE;
        }
        if (remainingEpochs <= 0) {
            return 1;
        }
        // the least capacity c with work < slack·c·epochs: floor(work / (slack·epochs)) + 1
        BigInteger work =
                BigInteger.valueOf(gas)
                        .multiply(NANO)
                        .multiply(BigInteger.valueOf(remainingEpochs));
        BigInteger least =
                work.divide(slack.multiply(BigInteger.valueOf(epochs))).add(BigInteger.ONE);
        return least.min(LONG_MAX).longValueExact();
    }

    /**
     * {@link #capacityForDeadline} for the usual sizes, in long arithmetic (it runs for every
     * pending job a matching pass tries); -1 when a value would not fit a long, and the BigInteger
     * form answers.
     */
    private static long capacityForDeadlineInLongs(
            long nowMs, long gas, long deadlineMs, int remainingEpochs, int epochs) {
        if (gas < 0 || nowMs < 0 || deadlineMs < 0) {
            return -1;
        }
        if (nowMs >= deadlineMs) {
            return Long.MAX_VALUE;
        }
        long slack = deadlineMs - nowMs - DEADLINE_MARGIN_MS; // no overflow: both non-negative
        if (slack <= 0) {
            return Long.MAX_VALUE;
        }
        if (remainingEpochs <= 0) {
            return 1;
        }
        long perEpoch = gas * 1_000_000_000L;
        long span = slack * epochs;
        if (Math.multiplyHigh(gas, 1_000_000_000L) != 0
                || perEpoch < 0
                || Math.multiplyHigh(perEpoch, remainingEpochs) != 0
                || perEpoch * remainingEpochs < 0
                || Math.multiplyHigh(slack, epochs) != 0
                || span < 0) {
            return -1;
        }
        // the least capacity c with work < slack·c·epochs: floor(work / (slack·epochs)) + 1
        long least = perEpoch * remainingEpochs / span + 1;
        return least < 0 ? Long.MAX_VALUE : least; // overflows only from Long.MAX_VALUE
    }

    /**
     * The first moment at which {@code capacity} can no longer finish {@code remainingEpochs} of
     * {@code epochs} before the deadline less the margin ({@link #meetsDeadline} turns false);
     * {@code Long.MIN_VALUE} for no capacity.
     */
    public static long giveUpAt(
            long gas, long capacity, long deadlineMs, int remainingEpochs, int epochs) {
        if (capacity <= 0 || epochs <= 0) {
            return Long.MIN_VALUE;
        }
        BigInteger work =
                BigInteger.valueOf(gas)
                        .multiply(NANO)
                        .multiply(BigInteger.valueOf(Math.max(0, remainingEpochs)));
        BigInteger takes =
                work.divide(BigInteger.valueOf(capacity).multiply(BigInteger.valueOf(epochs)));
        BigInteger at =
                BigInteger.valueOf(deadlineMs)
                        .subtract(BigInteger.valueOf(DEADLINE_MARGIN_MS))
                        .subtract(remainingEpochs <= 0 ? BigInteger.ZERO : takes);
        return at.max(BigInteger.valueOf(Long.MIN_VALUE)).longValueExact();
    }

    /** Whether the deadline margin has passed, so that no capacity can finish the job any more. */
    public static boolean pastMargin(long nowMs, long deadlineMs) {
        return nowMs >= deadlineMs - DEADLINE_MARGIN_MS;
    }
}
