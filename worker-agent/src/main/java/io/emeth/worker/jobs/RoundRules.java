package io.emeth.worker.jobs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The aggregator's rules for what a round may take in, as pure functions: the tokens the plan gives
 * a rank, whether a shard's sender holds the rank it claims, and the bound on a shard's update
 * norm. The sender's word decides none of them: a signed participant could otherwise report 10^12
 * tokens (and become the global model) or send finite garbage such as 1e30.
 */
final class RoundRules {

    /** Default of {@code max_update_norm_multiple}: a shard may move the model 10× the median. */
    static final double DEFAULT_MAX_UPDATE_NORM_MULTIPLE = 10.0;

    private RoundRules() {}

    /**
     * The tokens one epoch trains on for a shard of {@code shardTokens} token ids: whole windows of
     * {@code contextLength} predicted tokens (as {@code TokenBatcher} cuts them), 0 when the shard
     * holds no window.
     */
    static long plannedTokens(long shardTokens, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be >= 1, was " + contextLength);
        }
        if (shardTokens < contextLength + 1L) {
            return 0;
        }
        return (shardTokens - 1) / contextLength * contextLength;
    }

    /**
     * Why a shard's claim is refused, or null when it holds: the sender must be the worker the plan
     * puts at the rank it names, and its token count must be the plan's for that rank.
     *
     * @param workers the job's workers in rank order (empty: the master named none)
     * @param planned the plan's tokens for {@code rank}
     */
    static String claimProblem(
            List<String> workers, String sender, int rank, long claimedTokens, long planned) {
        if (rank < 0 || (!workers.isEmpty() && rank >= workers.size())) {
            return "claims rank " + rank + ", which the job does not have";
        }
        if (!workers.isEmpty() && !key(workers.get(rank)).equals(key(sender))) {
            return "claims rank " + rank + ", which the plan gives " + workers.get(rank);
        }
        if (planned <= 0) {
            return "has rank " + rank + ", whose shard the plan gives no window to train on";
        }
        if (claimedTokens != planned) {
            return "claims "
                    + claimedTokens
                    + " tokens; the plan gives rank "
                    + rank
                    + " "
                    + planned
                    + " per epoch";
        }
        return null;
    }

    /**
     * The largest update norm the round accepts: {@code multiple} × the lower median of the shards'
     * norms (the lower one, so that with two shards an outlier cannot raise the bound).
     */
    static double normBound(List<Double> norms, double multiple) {
        if (norms.isEmpty()) {
            throw new IllegalArgumentException("a round's norm bound needs at least one norm");
        }
        List<Double> sorted = new ArrayList<>(norms);
        Collections.sort(sorted);
        return multiple * sorted.get((sorted.size() - 1) / 2);
    }

    /** Checks a configured multiple: finite and at least 1 (below, honest shards would fail). */
    static double requireMultiple(double multiple) {
        if (!(multiple >= 1) || Double.isInfinite(multiple)) {
            throw new IllegalArgumentException(
                    "max_update_norm_multiple must be a finite number >= 1, was " + multiple);
        }
        return multiple;
    }

    private static String key(String address) {
        return address == null ? "" : address.toLowerCase(Locale.ROOT);
    }
}
