package io.emeth.worker.assignments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    private final OffsetTracker tracker = new OffsetTracker();

    @Test
    void shouldCommitNothingBeforeAPosition() {
        assertThat(tracker.commitPosition()).isEmpty();
        tracker.startAt(40);
        assertThat(tracker.commitPosition()).isEqualTo(OptionalLong.of(40));
    }

    @Test
    void shouldCommitPastRecordsHandledAtOnce() {
        // Given records of other workers and old attempts, handled at once
        tracker.startAt(10);
        tracker.read(10, CompletableFuture.completedFuture(null));
        tracker.read(11, CompletableFuture.completedFuture(null));

        // Then the position moves past them
        assertThat(tracker.commitPosition()).isEqualTo(OptionalLong.of(12));
        assertThat(tracker.pending()).isZero();
    }

    @Test
    void shouldHoldTheCommitAtARunningJobsAssignmentUntilTheJobEnds() {
        // Given an assignment whose job runs, and two rounds of it, the first finished
        CompletableFuture<Void> job = new CompletableFuture<>();
        CompletableFuture<Void> round1 = new CompletableFuture<>();
        CompletableFuture<Void> round2 = new CompletableFuture<>();
        tracker.read(5, job);
        tracker.read(6, round1);
        tracker.read(7, round2);
        round1.complete(null);

        // Then a restart would read the assignment again
        assertThat(tracker.commitPosition()).isEqualTo(OptionalLong.of(5));
        assertThat(tracker.pending()).isEqualTo(2);

        // When the job ends (completing its rounds), the position moves past all of it
        job.complete(null);
        assertThat(tracker.commitPosition()).isEqualTo(OptionalLong.of(7));
        round2.completeExceptionally(new IllegalStateException("canceled"));
        assertThat(tracker.commitPosition()).isEqualTo(OptionalLong.of(8));
    }

    @Test
    void shouldNeverMoveBackwards() {
        tracker.startAt(100);
        tracker.startAt(50);
        assertThat(tracker.commitPosition()).isEqualTo(OptionalLong.of(100));
    }
}
