package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reserving and releasing a worker writes no worker record: the job's reservation is the fact, and
 * a task re-created from the stores (a restart, a rebalance) derives from it which workers are
 * busy. Driven with {@link MockProcessorContext}; a restart is a new processor on the same stores.
 */
class ReservationsAcrossRestartsTest {
    private static final long T0 = 1_900_000_000_000L;
    private static final String W1 = TestConfigs.worker(1).address();
    private static final String W2 = TestConfigs.worker(2).address();
    private static final String A = "0x" + "aa".repeat(16);
    private static final String B = "0x" + "bb".repeat(16);
    private static final String C = "0x" + "cc".repeat(16);

    private final MasterStreamsConfig config = TestConfigs.config("nvm");
    private final String pool = config.poolId();
    private MockProcessorContext<String, Object> context;
    private PoolProcessor processor;

    @BeforeEach
    void init() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(T0);
        PoolStores.add(context, TestConfigs.mockTopics());
        restart();
    }

    @Test
    void shouldKeepAWorkerBusyInAJobAcrossARestartThoughItsRecordDoesNotSayIt() {
        // Given a worker reserved for job A, its record still saying IDLE
        register(W1);
        send(new PoolMessage.JobOpened(plan(A, 50), 1));
        assertThat(matched(A)).containsExactly(W1);
        assertThat(workersStore().get(key(W1)).state).isEqualTo(WorkerState.IDLE);

        // When the task restarts and job B arrives
        restart();
        send(new PoolMessage.JobOpened(plan(B, 50), 1));

        // Then B waits: the worker is still A's
        assertThat(matched(B)).isEmpty();

        // When A is released
        context.resetForwards();
        send(new PoolMessage.JobReleased(A, "done", false));

        // Then the worker is shown IDLE and goes to B
        assertThat(views()).first().satisfies(v -> state(v, WorkerState.IDLE));
        assertThat(matched(B)).containsExactly(W1);
    }

    @Test
    void shouldFreeAWorkerWhoseRecordSaysItTrainsAJobThatEndedBeforeTheRestart() {
        // Given a worker training job A (its heartbeat wrote TRAINING into its record), then A
        // released: the release writes no worker record
        register(W1);
        send(new PoolMessage.JobOpened(plan(A, 50), 1));
        heartbeat(W1, WorkerPhase.LEARNING, A);
        assertThat(workersStore().get(key(W1)).state).isEqualTo(WorkerState.TRAINING);
        send(new PoolMessage.JobReleased(A, "done", false));
        assertThat(workersStore().get(key(W1)).state).isEqualTo(WorkerState.TRAINING);

        // When the task restarts and job B arrives
        restart();
        send(new PoolMessage.JobOpened(plan(B, 50), 1));

        // Then the worker takes B
        assertThat(matched(B)).containsExactly(W1);
    }

    @Test
    void shouldKeepATrainingWorkerTrainingAcrossARestart() {
        // Given a worker training job A
        register(W1);
        send(new PoolMessage.JobOpened(plan(A, 50), 1));
        heartbeat(W1, WorkerPhase.LEARNING, A);

        // When the task restarts and the same heartbeat comes again
        restart();
        context.resetForwards();
        heartbeat(W1, WorkerPhase.LEARNING, A);

        // Then nothing changed for a reader: no view, and A's release shows it IDLE
        assertThat(views()).isEmpty();
        send(new PoolMessage.JobReleased(A, "done", false));
        assertThat(views()).singleElement().satisfies(v -> state(v, WorkerState.IDLE));
    }

    @Test
    void shouldFreeAWorkerThatLeftItsJobAndCameBackWhileTheJobGoesOn() {
        // Given job A holding two workers; one leaves and registers again, A goes on with the
        // other (its coordinator has not answered yet)
        register(W1);
        register(W2);
        send(new PoolMessage.JobOpened(plan(A, 150), 1));
        assertThat(matched(A)).containsExactlyInAnyOrder(W1, W2);
        send(new PoolMessage.WorkerLeft(W1, T0, "restarting"));
        register(W1);

        // When the task restarts, then jobs B and C arrive
        restart();
        send(new PoolMessage.JobOpened(plan(B, 50), 1));
        send(new PoolMessage.JobOpened(plan(C, 50), 1));

        // Then the returned worker takes B, and C waits for the one A still holds
        assertThat(matched(B)).containsExactly(W1);
        assertThat(matched(C)).isEmpty();
    }

    @Test
    void shouldFreeADroppedWorkerAndKeepItOutOfItsJobAcrossARestart() {
        // Given job A holding two workers, one of them dropped by the coordinator
        register(W1);
        register(W2);
        send(new PoolMessage.JobOpened(plan(A, 150), 1));
        send(new PoolMessage.WorkerDropped(A, 1, W1, "straggler"));

        // When the task restarts and job B arrives
        restart();
        send(new PoolMessage.JobOpened(plan(B, 50), 1));

        // Then the dropped worker takes B
        assertThat(matched(B)).containsExactly(W1);

        // When B ends and A is re-planned with the worker it kept
        send(new PoolMessage.JobReleased(B, "done", false));
        context.resetForwards();
        send(new PoolMessage.ReplanRequested(plan(A, 150), 1, List.of(W2), 2));

        // Then the re-plan does not take the dropped worker back: it waits for another
        assertThat(jobMessages()).noneMatch(m -> m instanceof JobMessage.Replanned);
    }

    private void restart() {
        processor = new PoolProcessor(config);
        processor.init(context);
        context.resetForwards();
    }

    private void register(String worker) {
        send(
                new PoolMessage.WorkerRegistration(
                        worker, T0, 100, "cpu", "http://w", null, List.of()));
    }

    private void heartbeat(String worker, WorkerPhase phase, String jobId) {
        send(new PoolMessage.Heartbeat(worker, T0, phase, jobId, 1, 1, 0.5));
    }

    private JobPlan plan(String jobId, long required) {
        return new JobPlan(
                jobId,
                TestConfigs.emt(20),
                T0 + 86_400_000,
                T0,
                4_096,
                "d.txt",
                0,
                2,
                "en",
                5,
                required);
    }

    private void send(PoolMessage message) {
        processor.process(new Record<>(pool, message, context.currentSystemTimeMs()));
    }

    private List<String> matched(String jobId) {
        return jobMessages().stream()
                .filter(m -> m instanceof JobMessage.Matched x && x.jobId().equals(jobId))
                .flatMap(m -> ((JobMessage.Matched) m).members().stream())
                .map(Member::worker)
                .toList();
    }

    private List<JobMessage> jobMessages() {
        return context.forwarded(Outbox.JOB_INBOX_SINK).stream()
                .map(f -> (JobMessage) f.record().value())
                .toList();
    }

    private List<WorkerView> views() {
        return context.forwarded(Outbox.WORKER_STATUS_SINK).stream()
                .map(f -> (WorkerView) f.record().value())
                .toList();
    }

    private static void state(WorkerView view, WorkerState expected) {
        assertThat(view.getState()).isEqualTo(expected);
    }

    private String key(String worker) {
        return pool + "|" + worker;
    }

    @SuppressWarnings("unchecked")
    private KeyValueStore<String, PoolWorker> workersStore() {
        return (KeyValueStore<String, PoolWorker>)
                context.getStateStore(PoolProcessor.WORKERS_STORE);
    }
}
