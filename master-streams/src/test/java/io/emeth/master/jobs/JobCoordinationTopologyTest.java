package io.emeth.master.jobs;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.view.ContributionStatus;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.JobWorker;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.TrainingCanceled;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Job coordination after matching: workers lost, failing or straggling mid-epoch (continue,
 * re-plan, or decline), a stalled aggregator, events from outsiders, operator requests and a failed
 * transaction.
 */
class JobCoordinationTopologyTest {
    /** Gas 5 and 100,000 s: R = 50; two workers of 40 are taken (80). */
    static final Duration T = Duration.ofSeconds(100_000);

    private final MasterDriver master = new MasterDriver(TestConfigs.config("nvm"));
    private final NodeIdentity a = TestConfigs.worker(1);
    private final NodeIdentity b = TestConfigs.worker(2);
    private String job;

    @BeforeEach
    void matchAndProcess() {
        // Given a 2-epoch job processed on chain by two workers of 40 each
        master.register(a, 40);
        master.register(b, 40);
        job = master.request(emt(20), 4_096, T, "{\"epoch\": 2, \"language\": \"ja\"}");
        master.processingByUs(job);
        assertThat(master.job(job).getState()).isEqualTo(JobState.PROCESSING);
    }

    @AfterEach
    void close() {
        master.close();
    }

    @Test
    void shouldContinueWithTheRestWhenALostWorkerLeavesEnoughCapacity() {
        // Given epoch 1 done: one epoch of 2 left, which 40 alone finishes in 62,500 s
        finishEpoch(1);

        // When b stops heartbeating during epoch 2 while a keeps going
        keepAlive(Duration.ofSeconds(31), WorkerPhase.LEARNING, a);

        // Then b is lost, and epoch 2 is re-opened for a alone, as aggregator
        assertThat(master.worker(b.address()).getState()).isEqualTo(WorkerState.LOST);
        List<RoundOpened> rounds = master.assignments(a.address(), RoundOpened.class);
        RoundOpened reopened = rounds.get(rounds.size() - 1);
        assertThat(reopened.getEpoch()).isEqualTo(2);
        assertThat(reopened.getParticipants()).containsExactly(a.address());
        JobView view = master.job(job);
        assertThat(view.getState()).isEqualTo(JobState.PROCESSING);
        assertThat(view.getAttempt()).isEqualTo(1);
        assertThat(worker(view, b).getStatus()).isEqualTo(ContributionStatus.DISCONNECTED);

        // When a finishes the job
        master.shard(job, 1, a.address(), 2);
        master.aggregated(job, 1, a.address(), 2, 1.5);
        master.resultUploaded(job, 1, a.address(), "final.zip");

        // Then it is submitted with a full share for a and half for b
        assertThat(master.commands(SubmitResult.class)).hasSize(1);
        assertThat(worker(master.job(job), a).getContribution()).isEqualTo(100_000);
        assertThat(worker(master.job(job), b).getContribution()).isEqualTo(50_000);
    }

    @Test
    void shouldReplanWithAFreeWorkerWhenTheRestCannotMeetTheDeadline() {
        // Given a free worker c, and epoch 1 running (40 alone would need 125,000 s)
        NodeIdentity c = TestConfigs.worker(3);
        master.register(c, 40);

        // When b leaves
        master.left(b.address());

        // Then attempt 2 runs with a and c from epoch 1
        JobView view = master.job(job);
        assertThat(view.getAttempt()).isEqualTo(2);
        assertThat(view.getWorkers())
                .extracting(JobWorker::getWorker)
                .containsExactlyInAnyOrder(a.address(), c.address());
        List<WorkerAssignment> second =
                master.assignmentsFor(job, TrainingAssigned.class).stream()
                        .filter(x -> x.getAttempt() == 2)
                        .toList();
        assertThat(second)
                .extracting(WorkerAssignment::getWorker)
                .containsExactlyInAnyOrder(a.address(), c.address());
        RoundOpened round = master.assignments(c.address(), RoundOpened.class).get(0);
        assertThat(round.getEpoch()).isEqualTo(1);
        assertThat(master.commands(ProcessJob.class)).hasSize(1);
        assertThat(master.worker(c.address()).getState()).isEqualTo(WorkerState.RESERVED);
    }

    @Test
    void shouldWaitForALostWorkerToComeBackInsteadOfDecliningADistantDeadline() {
        // Given epoch 1 running on a and b; a alone (40) would need 125,000 s of the ~96,000 left
        // When b is away longer than its heartbeat timeout (30 s) while a keeps going
        keepAlive(Duration.ofSeconds(31), WorkerPhase.LEARNING, a);
        assertThat(master.worker(b.address()).getState()).isEqualTo(WorkerState.LOST);

        // Then the job is not declined: the re-plan waits for workers, a is freed meanwhile
        assertThat(master.commands(DeclineJob.class)).isEmpty();
        assertThat(master.job(job).getState()).isEqualTo(JobState.PROCESSING);
        assertThat(master.worker(a.address()).getState()).isEqualTo(WorkerState.IDLE);

        // When b comes back and registers again
        master.register(b, 40);

        // Then attempt 2 runs with a and b from epoch 1
        JobView view = master.job(job);
        assertThat(view.getState()).isEqualTo(JobState.PROCESSING);
        assertThat(view.getAttempt()).isEqualTo(2);
        assertThat(
                        master.assignmentsFor(job, TrainingAssigned.class).stream()
                                .filter(x -> x.getAttempt() == 2)
                                .map(WorkerAssignment::getWorker))
                .containsExactlyInAnyOrder(a.address(), b.address());
        assertThat(master.assignments(b.address(), RoundOpened.class))
                .last()
                .satisfies(r -> assertThat(r.getEpoch()).isEqualTo(1));
        assertThat(master.commands(DeclineJob.class)).isEmpty();
    }

    @Test
    void shouldDeclineAWaitingReplanOnlyWhenItsCrewCouldNoLongerMeetTheDeadline() {
        // When b is disconnected by an operator during epoch 1, with no free worker
        master.disconnect(b.address());

        // Then the job waits and a is told to stop and freed
        assertThat(master.worker(b.address()).getState()).isEqualTo(WorkerState.DISCONNECTED);
        assertThat(master.assignments(a.address(), TrainingCanceled.class)).hasSize(1);
        assertThat(master.worker(a.address()).getState()).isEqualTo(WorkerState.IDLE);
        assertThat(master.commands(DeclineJob.class)).isEmpty();

        // When the last moment passes at which a crew of 80 (a + b) could still finish both
        // epochs: deadline (T0 + 100,000 s) − 3,600 s − 62,500 s = T0 + 33,900 s
        master.advance(Duration.ofSeconds(33_899));
        assertThat(master.commands(DeclineJob.class)).isEmpty();
        master.advance(Duration.ofSeconds(1));

        // Then the job is declined on chain
        assertThat(master.commands(DeclineJob.class))
                .singleElement()
                .satisfies(d -> assertThat(d.getReason()).contains("re-plan"));

        // When the chain confirms it
        master.status(job, master.pool(), JobStatus.DECLINED);
        assertThat(master.job(job).getState()).isEqualTo(JobState.DECLINED);
    }

    @Test
    void shouldDropAWorkerThatReportsTrainingFailed() {
        // Given epoch 1 done
        finishEpoch(1);

        // When b reports a failure in epoch 2
        master.trainingFailed(job, 1, b.address(), 2);

        // Then b's share is FAILED and it is free; a continues
        assertThat(worker(master.job(job), b).getStatus()).isEqualTo(ContributionStatus.FAILED);
        assertThat(master.worker(b.address()).getState()).isEqualTo(WorkerState.IDLE);
        assertThat(master.job(job).getLastError()).contains("out of memory");
    }

    @Test
    void shouldDropAStragglerThatMakesNoTrainingProgress() {
        // Given both heartbeat in LEARNING, but b's progress never moves
        master.heartbeat(a.address(), WorkerPhase.LEARNING, job, 1, 1, 0.1);
        master.heartbeat(b.address(), WorkerPhase.LEARNING, job, 1, 1, 0.1);
        for (int i = 1; i <= 9; i++) {
            master.advance(Duration.ofSeconds(5));
            master.heartbeat(a.address(), WorkerPhase.LEARNING, job, 1, 1, 0.1 + i * 0.05);
            master.heartbeat(b.address(), WorkerPhase.LEARNING, job, 1, 1, 0.1);
        }

        // Then after timeout.learning (10 s) plus the heartbeat timeout (30 s) b is dropped
        assertThat(master.worker(b.address()).getLastError())
                .contains("made no training progress")
                .contains("timeout.learning");
        assertThat(worker(master.job(job), b).getStatus()).isEqualTo(ContributionStatus.FAILED);

        // And a re-plan never takes the straggler back: free as it is, the job waits without it
        assertThat(master.job(job).getAttempt()).isEqualTo(1);
        assertThat(master.worker(b.address()).getState()).isEqualTo(WorkerState.IDLE);
        assertThat(master.assignmentsFor(job, TrainingAssigned.class))
                .noneMatch(x -> x.getAttempt() == 2);
        assertThat(master.commands(DeclineJob.class)).isEmpty();
    }

    @Test
    void shouldHandTheRoundToAnotherAggregatorWhenTheAggregatorStalls() {
        // Given epoch 1 done and epoch 2's shards in, but a (rank 0) never aggregates
        finishEpoch(1);
        master.shard(job, 1, a.address(), 2);
        master.shard(job, 1, b.address(), 2);

        // When timeout.checkpoint (60 s) plus the heartbeat timeout (30 s) pass
        keepAlive(Duration.ofSeconds(91), WorkerPhase.IDLE, a, b);

        // Then a is dropped and b aggregates epoch 2
        List<RoundOpened> rounds = master.assignments(b.address(), RoundOpened.class);
        RoundOpened last = rounds.get(rounds.size() - 1);
        assertThat(last.getEpoch()).isEqualTo(2);
        assertThat(last.getAggregator()).isEqualTo(b.address());
        assertThat(master.job(job).getLastError()).contains("did not publish RoundAggregated");
        master.aggregated(job, 1, b.address(), 2, 1.2);
        master.resultUploaded(job, 1, b.address(), "final.zip");
        assertThat(master.commands(SubmitResult.class)).hasSize(1);
    }

    @Test
    void shouldRefuseTrainingEventsFromWorkersNotInTheAttempt() {
        // When an outsider and a stale attempt publish events for the job
        String outsider = TestConfigs.worker(9).address();
        master.aggregated(job, 1, outsider, 1, 0.1);
        master.shard(job, 7, a.address(), 1);

        // Then nothing moves and the view names the refusal
        JobView view = master.job(job);
        assertThat(view.getLosses()).isEmpty();
        assertThat(view.getLastError()).contains("attempt 7").contains("not an active worker");
        assertThat(master.assignments(a.address(), RoundOpened.class)).hasSize(1);
    }

    @Test
    void shouldRefuseAggregateFromAParticipantThatIsNotTheAggregator() {
        // When b (rank 1) claims epoch 1's aggregate
        master.aggregated(job, 1, b.address(), 1, 0.1);

        // Then it is ignored
        assertThat(master.job(job).getLosses()).isEmpty();
        assertThat(master.job(job).getLastError()).contains("aggregator is " + a.address());
    }

    @Test
    void shouldDeclineOnAnOperatorsRequest() {
        // When an operator declines the job
        master.declineRequest(job);

        // Then DeclineJob goes to the gateway and the workers stop
        assertThat(master.commands(DeclineJob.class))
                .singleElement()
                .satisfies(d -> assertThat(d.getReason()).contains("operator"));
        assertThat(master.assignments(b.address(), TrainingCanceled.class)).hasSize(1);
    }

    @Test
    void shouldSubmitTheLastGlobalModelWhenTheAggregatorNeverUploadsTheResult() {
        // Given both epochs aggregated
        finishEpoch(1);
        finishEpoch(2);

        // When the result does not come within checkpoint + heartbeat timeout
        keepAlive(Duration.ofSeconds(91), WorkerPhase.IDLE, a, b);

        // Then the master submits the last global model itself
        assertThat(master.commands(SubmitResult.class))
                .singleElement()
                .satisfies(s -> assertThat(s.getResultFileName()).isEqualTo("models/global-2.bin"));
    }

    private void finishEpoch(int epoch) {
        master.shard(job, 1, a.address(), epoch);
        master.shard(job, 1, b.address(), epoch);
        master.aggregated(job, 1, a.address(), epoch, 3.0 - epoch);
    }

    /** Advances the clock in 5 s steps, heartbeating only {@code workers}, progress moving. */
    private void keepAlive(Duration total, WorkerPhase phase, NodeIdentity... workers) {
        for (long s = 0; s < total.toSeconds(); s += 5) {
            for (NodeIdentity worker : workers) {
                master.heartbeat(worker.address(), phase, job, 1, 2, (s % 100) / 100.0);
            }
            master.advance(Duration.ofSeconds(Math.min(5, total.toSeconds() - s)));
        }
    }

    private static JobWorker worker(JobView view, NodeIdentity worker) {
        return view.getWorkers().stream()
                .filter(w -> w.getWorker().equals(worker.address()))
                .findFirst()
                .orElseThrow();
    }
}
