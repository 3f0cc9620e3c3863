package io.emeth.master.matching;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobWorker;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one selection rule at its exact boundaries, through the whole topology: free workers are
 * taken strongest first until they reach both R and the capacity that meets the deadline margin,
 * for a new job and for a re-plan alike.
 *
 * <p>A 4 KiB data set has gas 5; with T = 100,000 s, R = 50. Matched at its request, such a job has
 * 96,400 s before the margin, so the deadline asks for 52 (5·10^6 / 52 = 96,154 s): at the request
 * the margin, not R, binds. R binds when less work is left (a re-plan of the last epoch) or when
 * the chain's clock is ahead of the master's.
 */
class SelectionBoundariesTopologyTest {
    static final Duration T_R50 = Duration.ofSeconds(100_000);

    private MasterDriver master = new MasterDriver(TestConfigs.config("nvm"));

    @AfterEach
    void close() {
        master.close();
    }

    @Test
    void shouldTakeAThirdWorkerWhenTwoReachRButMissTheMargin() {
        // Given three free workers of 25 (25 + 25 = R, but 50 finishes in 100,000 s > 96,400 s)
        NodeIdentity w1 = TestConfigs.worker(1);
        NodeIdentity w2 = TestConfigs.worker(2);
        NodeIdentity w3 = TestConfigs.worker(3);
        master.register(w1, 25);
        master.register(w2, 25);
        master.register(w3, 25);

        // When a job with R = 50 is requested
        String job = master.request(emt(20), 4_096, T_R50, "{}");

        // Then all three are taken: 75 finishes in 66,667 s, inside the margin
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.assignmentsFor(job, TrainingAssigned.class))
                .extracting(WorkerAssignment::getWorker)
                .containsExactlyInAnyOrder(w1.address(), w2.address(), w3.address());
    }

    @Test
    void shouldMatchExactlyAtTheMarginsCapacityAndWaitOneShortOfIt() {
        // Given free workers of 25 + 25 + 1 = 51, one short of the 52 the margin needs
        master.register(TestConfigs.worker(1), 25);
        master.register(TestConfigs.worker(2), 25);
        master.register(TestConfigs.worker(3), 1);
        String job = master.request(emt(20), 4_096, T_R50, "{}");

        // Then the job waits
        assertThat(master.job(job).getState()).isEqualTo(JobState.REQUESTED);
        assertThat(master.assignments()).isEmpty();

        // When one more worker of 1 brings the free capacity to exactly 52
        master.register(TestConfigs.worker(4), 1);

        // Then all four are matched
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.assignmentsFor(job, TrainingAssigned.class)).hasSize(4);
    }

    @Test
    void shouldTakeExactlyTwoWorkersLandingOnRWhenRBinds() {
        // Given the chain's clock 10,000 s ahead of the master's: 106,400 s before the margin,
        // which 47 would meet, so R = 50 binds; three free workers of 25
        NodeIdentity w1 = TestConfigs.worker(1);
        NodeIdentity w2 = TestConfigs.worker(2);
        NodeIdentity w3 = TestConfigs.worker(3);
        master.register(w1, 25);
        master.register(w2, 25);
        master.register(w3, 25);

        // When a job with R = 50 is requested
        String job = requestAhead(Duration.ofSeconds(10_000));

        // Then 25 + 25 = R is enough: two workers, the third stays free
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.assignmentsFor(job, TrainingAssigned.class)).hasSize(2);
        assertThat(master.worker(w3.address()).getState()).isEqualTo(WorkerState.IDLE);
    }

    @Test
    void shouldWaitOneShortOfRWhenRBinds() {
        // Given free workers of 25 + 24 = 49 and R binding
        master.register(TestConfigs.worker(1), 25);
        master.register(TestConfigs.worker(2), 24);

        // When a job with R = 50 is requested
        String job = requestAhead(Duration.ofSeconds(10_000));

        // Then it waits for capacity
        assertThat(master.job(job).getState()).isEqualTo(JobState.REQUESTED);
        assertThat(master.assignments()).isEmpty();
    }

    @Test
    void shouldMatchIn1v1OnlyAWorkerThatMeetsTheMarginAlone() {
        // Given a 1v1 master with workers of 51 and 50 (R = 50, the margin needs 52)
        master.close();
        master = new MasterDriver(TestConfigs.config("1v1"));
        master.register(TestConfigs.worker(1), 51);
        master.register(TestConfigs.worker(2), 50);
        String job = master.request(emt(20), 4_096, T_R50, "{}");
        assertThat(master.job(job).getState()).isEqualTo(JobState.REQUESTED);

        // When a worker of exactly 52 registers
        NodeIdentity w52 = TestConfigs.worker(3);
        master.register(w52, 52);

        // Then it alone is matched
        assertThat(master.assignmentsFor(job, TrainingAssigned.class))
                .extracting(WorkerAssignment::getWorker)
                .containsExactly(w52.address());
    }

    @Test
    void shouldReplanTheLastEpochWithWorkersLandingExactlyOnR() {
        // Given a 2-epoch job on a (20) and b (40), epoch 1 done, and a free worker c of 30
        NodeIdentity a = TestConfigs.worker(1);
        NodeIdentity b = TestConfigs.worker(2);
        NodeIdentity c = TestConfigs.worker(3);
        String job = processingOnTwo(a, 20, b, 40);
        master.register(c, 30);

        // When b leaves: a alone (20) misses the deadline for the last epoch (it needs 26)
        master.left(b.address());

        // Then the re-plan keeps a and adds c: 20 + 30 = R, which the last epoch's deadline
        // (26) does not need but the rule does
        assertThat(master.job(job).getAttempt()).isEqualTo(2);
        assertThat(master.job(job).getWorkers())
                .extracting(JobWorker::getWorker)
                .containsExactlyInAnyOrder(a.address(), c.address());
    }

    @Test
    void shouldNotReplanOneShortOfR() {
        // Given the same job and a free worker c of 29: 20 + 29 = 49 meets the last epoch's
        // deadline but not R
        NodeIdentity a = TestConfigs.worker(1);
        NodeIdentity b = TestConfigs.worker(2);
        NodeIdentity c = TestConfigs.worker(3);
        String job = processingOnTwo(a, 20, b, 40);
        master.register(c, 29);

        // When b leaves
        master.left(b.address());

        // Then no re-plan fits: c stays free and the job waits for workers (its deadline is far)
        assertThat(master.commands(DeclineJob.class)).isEmpty();
        assertThat(master.worker(c.address()).getState()).isEqualTo(WorkerState.IDLE);
        assertThat(master.job(job).getAttempt()).isEqualTo(1);
    }

    /** A 2-epoch job matched to {@code a} and {@code b}, PROCESSING, with epoch 1 aggregated. */
    private String processingOnTwo(NodeIdentity a, long capA, NodeIdentity b, long capB) {
        master.register(a, capA);
        master.register(b, capB);
        String job = master.request(emt(20), 4_096, T_R50, "{\"epoch\": 2}");
        master.processingByUs(job);
        assertThat(master.job(job).getState()).isEqualTo(JobState.PROCESSING);
        master.shard(job, 1, a.address(), 1);
        master.shard(job, 1, b.address(), 1);
        master.aggregated(job, 1, b.address(), 1, 2.0);
        return job;
    }

    /** A job with R = 50 whose request time is {@code ahead} of the master's clock. */
    private String requestAhead(Duration ahead) {
        String job = MasterDriver.jobId();
        Instant requestedAt = master.now().plus(ahead);
        master.request(job, emt(20), 4_096L, requestedAt, requestedAt.plus(T_R50), "{}", 0);
        return job;
    }
}
