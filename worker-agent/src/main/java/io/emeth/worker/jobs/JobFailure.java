package io.emeth.worker.jobs;

import io.emeth.schemas.avro.WorkerPhase;

/**
 * The job's local work cannot go on: bad data, an unusable model reference, a storage or broker
 * failure. Carries the phase it happened in, for the {@code TrainingFailed} event.
 */
final class JobFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient WorkerPhase phase;

    JobFailure(WorkerPhase phase, String reason, Throwable cause) {
        super(reason, cause);
        this.phase = phase;
    }

    JobFailure(WorkerPhase phase, String reason) {
        this(phase, reason, null);
    }

    /** The phase that failed, or null when not phase-specific. */
    WorkerPhase phase() {
        return phase;
    }
}
