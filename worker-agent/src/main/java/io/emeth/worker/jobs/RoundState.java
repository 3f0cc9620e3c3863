package io.emeth.worker.jobs;

import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.worker.weights.WeightsFile;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One round of a job as this worker knows it: the latest {@code RoundOpened} for its epoch (the
 * master re-sends it when it drops a participant or names another aggregator), the future of the
 * work it queued, and, on the job's thread, the model the round started from.
 */
final class RoundState {
    final int epoch;
    private volatile RoundOpened opened;
    private volatile CompletableFuture<Void> work = CompletableFuture.completedFuture(null);

    /** The file of the model this round's training started from (job thread only). */
    WeightsFile roundStart;

    /** When this worker's checkpoint of the round began, System.nanoTime (job thread only). */
    Long checkpointStartedNanos;

    RoundState(int epoch) {
        this.epoch = epoch;
    }

    RoundOpened opened() {
        return opened;
    }

    void opened(RoundOpened latest) {
        this.opened = latest;
    }

    /** The round's participants, or an empty list when the master named none. */
    List<String> participants() {
        RoundOpened r = opened;
        return r == null ? List.of() : r.getParticipants();
    }

    CompletableFuture<Void> work() {
        return work;
    }

    void work(CompletableFuture<Void> future) {
        this.work = future;
    }
}
