package io.emeth.master.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the master keeps what it no longer needs, so that its state does not grow with every
 * worker and job ever seen.
 *
 * @param workers {@code worker_retention_ms}: a LOST, LEFT or DISCONNECTED worker is deleted from
 *     the pool's store this long after it went (its last view stays on {@code worker-status}); it
 *     may register again at any time
 * @param jobs {@code job_retention_ms}: how long a finished job stays in the coordinator's store
 */
public record Retention(Duration workers, Duration jobs) {
    public static final Retention DEFAULTS = new Retention(Duration.ofDays(1), Duration.ofDays(7));

    public Retention {
        Objects.requireNonNull(workers, "workers");
        Objects.requireNonNull(jobs, "jobs");
    }
}
