package io.emeth.worker.training;

import java.time.Duration;

/**
 * What one epoch of shard training produced, for {@code ShardTrained}.
 *
 * @param epoch the epoch number (1-based)
 * @param meanLoss mean next-token cross-entropy (nats) over the epoch's batches, weighted by tokens
 * @param tokens predicted tokens trained on
 * @param batches optimiser steps taken
 * @param duration wall time of the epoch
 */
public record EpochResult(
        long epoch, double meanLoss, long tokens, int batches, Duration duration) {

    /** Training throughput. */
    public double tokensPerSecond() {
        double seconds = duration.toNanos() / 1e9;
        return seconds > 0 ? tokens / seconds : 0;
    }
}
