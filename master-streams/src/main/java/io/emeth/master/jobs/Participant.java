package io.emeth.master.jobs;

import io.emeth.schemas.avro.view.ContributionStatus;

/**
 * One worker's share in a job's current attempt, as the original {@code contributions} table kept
 * it: its status, when it started and ended, and how many rounds it contributed to.
 */
final class Participant {
    String worker;
    int rank;
    long powerCapacity;
    ContributionStatus status = ContributionStatus.NONE;
    long startedAt;
    Long endedAt;
    int rounds;

    Participant() {}

    Participant(String worker, int rank, long powerCapacity, long startedAt) {
        this.worker = worker;
        this.rank = rank;
        this.powerCapacity = powerCapacity;
        this.startedAt = startedAt;
    }

    /** Still part of the attempt (not dropped). */
    boolean active() {
        return endedAt == null;
    }

    String worker() {
        return worker;
    }
}
