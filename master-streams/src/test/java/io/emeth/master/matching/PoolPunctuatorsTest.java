package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.GoneKind;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.TrainingCanceled;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.math.BigInteger;
import java.util.List;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool matcher's two wall-clock punctuators, driven with {@link MockProcessorContext}. */
class PoolPunctuatorsTest {
    private static final long T0 = 1_900_000_000_000L;
    private static final String W = TestConfigs.worker(1).address();
    private static final String JOB = "0x" + "12".repeat(16);

    private final MasterStreamsConfig config = TestConfigs.config("nvm");
    private final String pool = config.poolId();
    private MockProcessorContext<String, Object> context;
    private PoolProcessor processor;

    @BeforeEach
    void init() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(T0);
        PoolStores.add(context, TestConfigs.mockTopics());
        processor = startProcessor();
    }

    @Test
    void shouldMarkASilentReservedWorkerLostAndTellItsJob() {
        // Given a worker reserved for a job, last heard at T0 (timeout 30 s)
        send(new PoolMessage.WorkerRegistration(W, T0, 100, "cpu", "http://w", null, List.of()));
        send(new PoolMessage.JobOpened(plan(T0 + 86_400_000), 1));
        context.resetForwards();

        // When the watch runs 30 s later: still within the timeout
        punctuate(WorkerWatch.class, T0 + 30_000);
        assertThat(context.forwarded()).isEmpty();

        // When it runs 1 ms after the timeout
        punctuate(WorkerWatch.class, T0 + 30_001);

        // Then the worker is LOST, its job told, and it is told to stop
        assertThat(views())
                .singleElement()
                .satisfies(v -> assertThat(v.getState()).isEqualTo(WorkerState.LOST));
        assertThat(jobMessages())
                .singleElement()
                .isInstanceOfSatisfying(
                        JobMessage.WorkerGone.class,
                        g -> {
                            assertThat(g.kind()).isEqualTo(GoneKind.LOST);
                            assertThat(g.worker()).isEqualTo(W);
                            assertThat(g.jobId()).isEqualTo(JOB);
                        });
        assertThat(assignments())
                .singleElement()
                .satisfies(a -> assertThat(a.getPayload()).isInstanceOf(TrainingCanceled.class));
    }

    @Test
    void shouldNotCountSilenceFromBeforeTheTaskStarted() {
        // Given a worker heard at T0, and the task restarted a minute later (catching up)
        send(new PoolMessage.WorkerRegistration(W, T0, 100, "cpu", "http://w", null, List.of()));
        context.setCurrentSystemTimeMs(T0 + 60_000);
        processor = startProcessor();
        context.resetForwards();

        // When the watch runs 30 s after the restart, and again just after
        punctuate(WorkerWatch.class, T0 + 90_000);
        assertThat(context.forwarded()).isEmpty();
        punctuate(WorkerWatch.class, T0 + 90_001);

        // Then only then is it lost
        assertThat(views())
                .singleElement()
                .satisfies(v -> assertThat(v.getState()).isEqualTo(WorkerState.LOST));
    }

    @Test
    void shouldCountSilenceFromTheFirstRunOfATaskWhoseClockWasNotSetAtInit() {
        // Given a worker heard at T0, and a task created by a restart: Kafka Streams has not set
        // its clock yet when init runs
        send(new PoolMessage.WorkerRegistration(W, T0, 100, "cpu", "http://w", null, List.of()));
        context.setCurrentSystemTimeMs(0);
        processor = startProcessor();
        context.resetForwards();

        // When the watch first runs a minute after the worker's last heartbeat, and again a
        // heartbeat timeout later
        punctuate(WorkerWatch.class, T0 + 60_000);
        punctuate(WorkerWatch.class, T0 + 90_000);
        assertThat(context.forwarded()).isEmpty();
        punctuate(WorkerWatch.class, T0 + 90_001);

        // Then the master's own downtime did not count: lost only a full timeout after it ran
        assertThat(views())
                .singleElement()
                .satisfies(v -> assertThat(v.getState()).isEqualTo(WorkerState.LOST));
    }

    @Test
    void shouldDropAWorkerStuckInWaitDataLongerThanItsTimeout() {
        // Given a reserved worker downloading since T0 (wait_data 60 s, heartbeat timeout 30 s)
        send(new PoolMessage.WorkerRegistration(W, T0, 100, "cpu", "http://w", null, List.of()));
        send(new PoolMessage.JobOpened(plan(T0 + 86_400_000), 1));
        heartbeatAt(T0, WorkerPhase.WAIT_DATA);
        heartbeatAt(T0 + 80_000, WorkerPhase.WAIT_DATA);
        context.resetForwards();

        // When the watch runs at 90 s, then just after
        punctuate(WorkerWatch.class, T0 + 90_000);
        assertThat(context.forwarded()).isEmpty();
        punctuate(WorkerWatch.class, T0 + 90_001);

        // Then it is dropped as a straggler, free again, its job told
        assertThat(jobMessages())
                .singleElement()
                .isInstanceOfSatisfying(
                        JobMessage.WorkerGone.class,
                        g -> assertThat(g.kind()).isEqualTo(GoneKind.TIMED_OUT));
        assertThat(views())
                .last()
                .satisfies(
                        v -> {
                            assertThat(v.getState()).isEqualTo(WorkerState.IDLE);
                            assertThat(v.getLastError())
                                    .contains("WAIT_DATA")
                                    .contains("timeout.wait_data");
                        });
    }

    @Test
    void shouldLeaveAnIdleWorkerThatHeartbeatsAlone() {
        send(new PoolMessage.WorkerRegistration(W, T0, 100, "cpu", "http://w", null, List.of()));
        heartbeatAt(T0 + 25_000, WorkerPhase.NONE);
        context.resetForwards();
        punctuate(WorkerWatch.class, T0 + 50_000);
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void shouldKeepLivenessInMemoryWithoutWritingTheStoreOrTheView() {
        // Given a registered worker, stored as last seen at T0
        send(new PoolMessage.WorkerRegistration(W, T0, 100, "cpu", "http://w", null, List.of()));
        context.resetForwards();

        // When it heartbeats at T0 + 25 s with nothing new (idle, no job, no epoch)
        context.setCurrentSystemTimeMs(T0 + 25_000);
        send(new PoolMessage.Heartbeat(W, T0 + 25_000, WorkerPhase.NONE, null, null, null, 0));

        // Then neither the store nor worker-status is written
        assertThat(context.forwarded()).isEmpty();
        assertThat(workersStore().get(pool + "|" + W).lastSeenAt).isEqualTo(T0);

        // But the heartbeat counts: not lost 30 s after it, lost 1 ms later
        punctuate(WorkerWatch.class, T0 + 55_000);
        assertThat(context.forwarded()).isEmpty();
        punctuate(WorkerWatch.class, T0 + 55_001);
        assertThat(views())
                .singleElement()
                .satisfies(v -> assertThat(v.getState()).isEqualTo(WorkerState.LOST));
    }

    @Test
    void shouldDeleteAGoneWorkerAfterItsRetentionAndLetItRegisterAgain() {
        // Given a worker lost at T0 + 30,001 ms (retention 1 day)
        send(new PoolMessage.WorkerRegistration(W, T0, 100, "cpu", "http://w", null, List.of()));
        punctuate(WorkerWatch.class, T0 + 30_001);
        assertThat(workersStore().get(pool + "|" + W).state).isEqualTo(WorkerState.LOST);
        long retention = config.retention().workers().toMillis();

        // When the watch runs 1 ms before and at the end of its retention
        punctuate(WorkerWatch.class, T0 + 30_000 + retention);
        assertThat(workersStore().get(pool + "|" + W)).isNotNull();
        punctuate(WorkerWatch.class, T0 + 30_001 + retention);

        // Then it is gone from the store, and a new registration brings it back
        assertThat(workersStore().get(pool + "|" + W)).isNull();
        context.setCurrentSystemTimeMs(T0 + 30_002 + retention);
        send(
                new PoolMessage.WorkerRegistration(
                        W, T0 + 30_002 + retention, 100, "cpu", "http://w", null, List.of()));
        assertThat(workersStore().get(pool + "|" + W).state).isEqualTo(WorkerState.IDLE);
    }

    @Test
    void shouldRebuildTimersFromTheStoresWhenTheTaskRestarts() {
        // Given a worker lost, and a job pending, then the task restarted
        send(new PoolMessage.WorkerRegistration(W, T0, 100, "cpu", "http://w", null, List.of()));
        punctuate(WorkerWatch.class, T0 + 30_001);
        send(new PoolMessage.JobOpened(plan(T0 + 3_700_000), 1));
        processor = startProcessor();
        context.resetForwards();

        // When the restarted task's punctuators run past the margin and the retention
        punctuate(PendingExpiry.class, T0 + 100_000);
        punctuate(WorkerWatch.class, T0 + 30_001 + config.retention().workers().toMillis());

        // Then the pending job expired and the gone worker was deleted
        assertThat(jobMessages()).singleElement().isInstanceOf(JobMessage.MatchExpired.class);
        assertThat(workersStore().get(pool + "|" + W)).isNull();
    }

    @SuppressWarnings("unchecked")
    private org.apache.kafka.streams.state.KeyValueStore<String, PoolWorker> workersStore() {
        return (org.apache.kafka.streams.state.KeyValueStore<String, PoolWorker>)
                context.getStateStore(PoolProcessor.WORKERS_STORE);
    }

    @Test
    void shouldExpireAPendingJobOnceItsDeadlineMarginHasPassed() {
        // Given a job waiting for workers, deadline 3,610 s away
        long deadline = T0 + 3_610_000;
        send(new PoolMessage.JobOpened(plan(deadline), 1));
        context.resetForwards();

        // When the expiry runs before and at the margin
        punctuate(PendingExpiry.class, T0 + 9_999);
        assertThat(context.forwarded()).isEmpty();
        punctuate(PendingExpiry.class, T0 + 10_000);

        // Then the job leaves the pool (pending index and job store) and its coordinator is told
        assertThat(jobMessages())
                .singleElement()
                .isInstanceOfSatisfying(
                        JobMessage.MatchExpired.class,
                        e -> assertThat(e.reason()).contains("margin"));
        try (var it =
                ((org.apache.kafka.streams.state.KeyValueStore<String, PoolJob>)
                                context.getStateStore(PoolProcessor.JOBS_STORE))
                        .all()) {
            assertThat(it.hasNext()).isFalse();
        }
    }

    private PoolProcessor startProcessor() {
        PoolProcessor p = new PoolProcessor(config);
        p.init(context);
        return p;
    }

    private JobPlan plan(long deadline) {
        return new JobPlan(
                JOB, TestConfigs.emt(20), deadline, T0, 4_096, "d.txt", 0, 2, "en", 5, 50);
    }

    private void heartbeatAt(long at, WorkerPhase phase) {
        context.setCurrentSystemTimeMs(at);
        send(
                new PoolMessage.Heartbeat(
                        W, at, phase, phase == WorkerPhase.NONE ? null : JOB, 1, 1, 0.5));
    }

    private void send(PoolMessage message) {
        processor.process(new Record<>(pool, message, context.currentSystemTimeMs()));
    }

    private void punctuate(Class<? extends Punctuator> type, long at) {
        context.setCurrentSystemTimeMs(at);
        List<MockProcessorContext.CapturedPunctuator> all = context.scheduledPunctuators();
        // the latest processor's punctuators are the last ones scheduled
        Punctuator p =
                all.stream()
                        .map(MockProcessorContext.CapturedPunctuator::getPunctuator)
                        .filter(type::isInstance)
                        .reduce((first, second) -> second)
                        .orElseThrow();
        p.punctuate(at);
    }

    private List<WorkerView> views() {
        return context.forwarded(Outbox.WORKER_STATUS_SINK).stream()
                .map(f -> (WorkerView) f.record().value())
                .toList();
    }

    private List<JobMessage> jobMessages() {
        return context.forwarded(Outbox.JOB_INBOX_SINK).stream()
                .map(f -> (JobMessage) f.record().value())
                .toList();
    }

    private List<WorkerAssignment> assignments() {
        return context.forwarded(Outbox.ASSIGNMENTS_SINK).stream()
                .map(f -> (WorkerAssignment) f.record().value())
                .toList();
    }

    @SuppressWarnings("unused")
    private static BigInteger unused() {
        return BigInteger.ONE;
    }
}
