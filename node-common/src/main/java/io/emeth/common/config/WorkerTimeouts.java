package io.emeth.common.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A worker's phase timeouts ({@code timeout} in {@code config/worker.json}, milliseconds in the
 * file): {@code wait_data} for its data to arrive, {@code idle} between jobs' phases, {@code
 * learning} without a training progress step, {@code checkpoint} to produce and upload a round's
 * weights. A phase that overruns aborts the job's work locally.
 */
public record WorkerTimeouts(
        Duration waitData, Duration idle, Duration learning, Duration checkpoint) {
    /** The original node's example values: 300000, 1200000, 10000, 2400000 ms. */
    public static final WorkerTimeouts DEFAULTS =
            new WorkerTimeouts(
                    Duration.ofMillis(300_000),
                    Duration.ofMillis(1_200_000),
                    Duration.ofMillis(10_000),
                    Duration.ofMillis(2_400_000));

    public WorkerTimeouts {
        positive("wait_data", waitData);
        positive("idle", idle);
        positive("learning", learning);
        positive("checkpoint", checkpoint);
    }

    private static void positive(String key, Duration d) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timeout." + key + " must be positive: " + d);
        }
    }
}
