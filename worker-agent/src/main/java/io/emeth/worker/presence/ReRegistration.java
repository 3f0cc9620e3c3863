package io.emeth.worker.presence;

import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.util.Optional;

/**
 * When a worker registers again, so that a master that forgot it takes it back (the original worker
 * re-registered when its master answered "unknown worker"; here nothing answers, so the worker
 * watches its own row of {@code worker-status} and also refreshes periodically):
 *
 * <ul>
 *   <li>at start;
 *   <li>soon after its {@code WorkerView} says {@code LOST} (the master stopped hearing it, and now
 *       ignores its heartbeats until it registers) or {@code LEFT} (a view from its own earlier
 *       shutdown), at most once per {@code minSpacingMs} so a view that lags behind the new
 *       registration causes no loop;
 *   <li>every {@code refreshMs} in any case: a master whose state was wiped has no view of the
 *       worker at all, and a registration is idempotent for the master (a busy worker keeps its
 *       job), so the refresh is cheap and bounds how long a forgotten worker stays forgotten. A
 *       {@code REJECTED} worker (bad signature or not whitelisted) retries only at this pace.
 * </ul>
 *
 * A worker the operator {@code DISCONNECTED} is not re-registered by the view rule: it rejoins at
 * its next refresh or restart, which gives the operator {@code refreshMs} to act on it.
 */
public final class ReRegistration {

    private final long refreshMs;
    private final long minSpacingMs;
    private long lastRegisteredMs = Long.MIN_VALUE;

    /**
     * @param refreshMs period of the unconditional refresh
     * @param minSpacingMs least time between two registrations triggered by the view
     */
    public ReRegistration(long refreshMs, long minSpacingMs) {
        if (refreshMs <= 0 || minSpacingMs <= 0) {
            throw new IllegalArgumentException(
                    "refreshMs and minSpacingMs must be positive, were "
                            + refreshMs
                            + ", "
                            + minSpacingMs);
        }
        this.refreshMs = refreshMs;
        this.minSpacingMs = minSpacingMs;
    }

    /** The worker registered at {@code nowMs}. */
    public void registered(long nowMs) {
        lastRegisteredMs = nowMs;
    }

    /**
     * Why the worker should register now, or empty.
     *
     * @param nowMs the monotonic time now
     * @param view the latest {@code worker-status} row of this worker, or null when none was seen
     */
    public Optional<String> reason(long nowMs, WorkerView view) {
        if (lastRegisteredMs == Long.MIN_VALUE) {
            return Optional.of("start");
        }
        long since = nowMs - lastRegisteredMs;
        if (view != null && since >= minSpacingMs) {
            WorkerState state = view.getState();
            if (state == WorkerState.LOST || state == WorkerState.LEFT) {
                return Optional.of("the master's worker-status says " + state);
            }
        }
        if (since >= refreshMs) {
            return Optional.of("periodic refresh");
        }
        return Optional.empty();
    }
}
