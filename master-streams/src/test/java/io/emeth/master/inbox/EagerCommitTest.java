package io.emeth.master.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.junit.jupiter.api.Test;

/**
 * {@code eager_commit_ms}: a record the next step waits for makes the thread commit at once, or
 * when the thread's gap since its last request is over, never later; views and a worker's facts
 * wait for the commit interval as before.
 */
class EagerCommitTest {
    /** Each test runs on its own clock, far from the others' (the last request is per thread). */
    private static final AtomicLong CLOCKS = new AtomicLong(1_000_000_000_000L);

    private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    private long now = CLOCKS.addAndGet(1_000_000_000L);

    @org.junit.jupiter.api.BeforeEach
    void keepingUp() {
        EagerCommit.inputWaited(0);
        EagerCommit.poolMessageWaited(0);
    }

    @org.junit.jupiter.api.AfterEach
    void reset() {
        keepingUp();
    }

    private void at(long offsetMs) {
        context.setCurrentSystemTimeMs(now + offsetMs);
    }

    @Test
    void aLoneRecordIsCommittedAtOnce() {
        Outbox outbox = new Outbox(context, Duration.ofMillis(10));
        at(0);
        outbox.toPool("0xpool", new PoolMessage.JobReleased("0xjob", "taken", false));
        assertThat(context.committed()).isTrue();
        assertThat(context.scheduledPunctuators()).isEmpty();
    }

    @Test
    void recordsWithinTheGapAreCommittedWhenItIsOverOnce() {
        EagerCommit eager = new EagerCommit(context, Duration.ofMillis(10));
        at(0);
        eager.ask();
        context.resetCommit();
        at(0);
        eager.ask(); // the same millisecond: the commit asked for already covers it
        assertThat(context.committed()).isFalse();
        assertThat(context.scheduledPunctuators()).isEmpty();

        at(3);
        eager.ask();
        at(4);
        eager.ask();
        assertThat(context.committed()).isFalse();
        assertThat(context.scheduledPunctuators()).hasSize(1);
        CapturedPunctuator deferred = context.scheduledPunctuators().get(0);
        assertThat(deferred.getInterval()).isEqualTo(Duration.ofMillis(7));

        deferred.getPunctuator().punctuate(now + 10);
        assertThat(context.committed()).isTrue();
        assertThat(deferred.cancelled()).isTrue();

        // the deferred request restarted the gap
        context.resetCommit();
        at(15);
        eager.ask();
        assertThat(context.committed()).isFalse();
        at(20);
        eager.ask();
        assertThat(context.committed()).isFalse();
        assertThat(context.scheduledPunctuators()).hasSize(2);
    }

    @Test
    void afterTheGapTheNextRecordIsCommittedAtOnce() {
        EagerCommit eager = new EagerCommit(context, Duration.ofMillis(10));
        at(0);
        eager.ask();
        context.resetCommit();
        at(10);
        eager.ask();
        assertThat(context.committed()).isTrue();
        assertThat(context.scheduledPunctuators()).isEmpty();
    }

    @Test
    void theGapIsSharedByTheProcessorsOfAThread() {
        MockProcessorContext<String, Object> other = new MockProcessorContext<>();
        at(0);
        other.setCurrentSystemTimeMs(now + 2);
        new EagerCommit(context, Duration.ofMillis(10)).ask();
        new EagerCommit(other, Duration.ofMillis(10)).ask();
        assertThat(context.committed()).isTrue();
        assertThat(other.committed()).isFalse();
        assertThat(other.scheduledPunctuators()).hasSize(1);
    }

    @Test
    void aThreadThatIsBehindLeavesCommitsToTheInterval() {
        Outbox outbox = new Outbox(context, Duration.ofMillis(10));
        EagerCommit.inputWaited(EagerCommit.BEHIND_MS + 1);
        at(0);
        outbox.toPool("0xpool", new PoolMessage.JobReleased("0xjob", "taken", false));
        assertThat(context.committed()).isFalse();
        assertThat(context.scheduledPunctuators()).isEmpty();

        EagerCommit.inputWaited(EagerCommit.BEHIND_MS);
        at(1);
        outbox.toPool("0xpool", new PoolMessage.JobReleased("0xjob", "taken", false));
        assertThat(context.committed()).isTrue();
    }

    @Test
    void aPoolThatIsBehindLeavesCommitsToTheIntervalWhileTheRouterKeepsUp() {
        Outbox outbox = new Outbox(context, Duration.ofMillis(10));
        EagerCommit.inputWaited(5);
        EagerCommit.poolMessageWaited(EagerCommit.POOL_BEHIND_MS + 1);
        at(0);
        outbox.toPool("0xpool", new PoolMessage.JobReleased("0xjob", "taken", false));
        assertThat(context.committed()).isFalse();

        EagerCommit.poolMessageWaited(EagerCommit.POOL_BEHIND_MS);
        at(1);
        outbox.toPool("0xpool", new PoolMessage.JobReleased("0xjob", "taken", false));
        assertThat(context.committed()).isTrue();
    }

    @Test
    void offLeavesEveryCommitToTheInterval() {
        Outbox outbox = new Outbox(context, Duration.ofMillis(-1));
        at(0);
        outbox.toPool("0xpool", new PoolMessage.JobReleased("0xjob", "taken", false));
        at(50);
        outbox.toPool("0xpool", new PoolMessage.JobReleased("0xjob", "taken", false));
        assertThat(context.committed()).isFalse();
        assertThat(context.scheduledPunctuators()).isEmpty();
    }

    @Test
    void viewsAndWorkerFactsDoNotAskForACommit() {
        Outbox outbox = new Outbox(context, Duration.ofMillis(10));
        at(0);
        outbox.workerView(
                WorkerView.newBuilder()
                        .setWorker("0xw")
                        .setPool("0xpool")
                        .setState(WorkerState.IDLE)
                        .setPowerCapacity(10)
                        .setDevice("cpu")
                        .setUrl("http://w")
                        .setPhase(io.emeth.schemas.avro.WorkerPhase.NONE)
                        .setUpdatedAt(java.time.Instant.ofEpochMilli(now))
                        .build());
        outbox.toPool("0xpool", new PoolMessage.WorkerLeft("0xw", now, "bye"), now);
        outbox.toJob(new JobMessage.Matched("0xjob", 1, java.util.List.of()));
        assertThat(context.committed()).isFalse();
        assertThat(context.scheduledPunctuators()).isEmpty();
    }
}
