package io.emeth.master.matching;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.TrainingCanceled;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One test per matching rule of the architecture, through the whole topology: fee window (wei,
 * beyond 2^63), the 4 KiB minimum, nvm and 1v1 selection, the deadline margin, fee order, and
 * release when a job is canceled or taken before processing.
 */
class MatchingRulesTopologyTest {
    /** A 4 KiB data set has gas 5; with this time limit R = 5·10^6 / 100000 = 50. */
    static final Duration T_R50 = Duration.ofSeconds(100_000);

    private MasterDriver master = new MasterDriver(TestConfigs.config("nvm"));

    @AfterEach
    void close() {
        master.close();
    }

    @ParameterizedTest(name = "fee {0} wei → {1}")
    @CsvSource({
        "9999999999999999999, INELIGIBLE", // min_fee − 1 wei (min_fee = 10 EMT > 2^63)
        "10000000000000000000, MATCHED", // exactly min_fee
        "20000000000000000001, MATCHED",
        "30000000000000000000, MATCHED", // exactly max_fee
        "30000000000000000001, INELIGIBLE" // max_fee + 1 wei
    })
    void shouldApplyFeeWindowToTheWei(BigInteger fee, JobState expected) {
        // Given a free worker strong enough for the job
        master.register(TestConfigs.worker(1), 100);

        // When a job with this fee is requested
        String job = master.request(fee, 4_096, T_R50, "{}");

        // Then it is matched only inside [min_fee, max_fee]
        assertThat(master.job(job).getState()).isEqualTo(expected);
        if (expected == JobState.INELIGIBLE) {
            assertThat(master.job(job).getLastError()).contains("fee " + fee + " wei");
            assertThat(master.commands(ProcessJob.class)).isEmpty();
        }
    }

    @Test
    void shouldRefuseDataSetOf4095BytesAndMatch4096() {
        // Given a free worker
        master.register(TestConfigs.worker(1), 100);

        // When jobs of 4,095 and 4,096 bytes are requested
        String small = master.request(emt(20), 4_095, T_R50, "{}");
        String enough = master.request(emt(20), 4_096, T_R50, "{}");

        // Then only the 4 KiB one is matched
        assertThat(master.job(small).getState()).isEqualTo(JobState.INELIGIBLE);
        assertThat(master.job(small).getLastError()).contains("4095 bytes").contains("4 KiB");
        assertThat(master.job(enough).getState()).isEqualTo(JobState.MATCHED);
    }

    @Test
    void shouldAccumulateStrongestWorkersUntilRequiredCapacityInNvm() {
        // Given free workers of capacity 10, 30, 20 and 25
        NodeIdentity w10 = TestConfigs.worker(1);
        NodeIdentity w30 = TestConfigs.worker(2);
        NodeIdentity w20 = TestConfigs.worker(3);
        NodeIdentity w25 = TestConfigs.worker(4);
        master.register(w10, 10);
        master.register(w30, 30);
        master.register(w20, 20);
        master.register(w25, 25);

        // When a job needing 50 is requested
        String job = master.request(emt(20), 4_096, T_R50, "{}");

        // Then the two strongest (30 + 25 ≥ 50) are taken, strongest as rank 0
        List<WorkerAssignment> assigned = master.assignmentsFor(job, TrainingAssigned.class);
        assertThat(assigned)
                .extracting(WorkerAssignment::getWorker)
                .containsExactly(w30.address(), w25.address());
        TrainingAssigned first = (TrainingAssigned) assigned.get(0).getPayload();
        assertThat(first.getRank()).isZero();
        assertThat(first.getWorldSize()).isEqualTo(2);
        assertThat(first.getAggregator()).isEqualTo(w30.address());
        assertThat(master.worker(w20.address()).getState()).isEqualTo(WorkerState.IDLE);
        assertThat(master.worker(w10.address()).getState()).isEqualTo(WorkerState.IDLE);
    }

    @Test
    void shouldWaitInNvmUntilFreeCapacityReachesRequiredCapacity() {
        // Given free workers summing 40 and a job needing 50
        master.register(TestConfigs.worker(1), 20);
        master.register(TestConfigs.worker(2), 20);
        String job = master.request(emt(20), 4_096, T_R50, "{}");
        assertThat(master.job(job).getState()).isEqualTo(JobState.REQUESTED);

        // When a third worker brings the sum to 55
        master.register(TestConfigs.worker(3), 15);

        // Then all three are matched
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.assignmentsFor(job, TrainingAssigned.class)).hasSize(3);
    }

    @Test
    void shouldChooseTheSingleStrongestWorkerIn1v1() {
        // Given a 1v1 master and free workers of 40, 60 and 55
        master.close();
        master = new MasterDriver(TestConfigs.config("1v1"));
        NodeIdentity w60 = TestConfigs.worker(2);
        master.register(TestConfigs.worker(1), 40);
        master.register(w60, 60);
        master.register(TestConfigs.worker(3), 55);

        // When a job needing 50 is requested
        String job = master.request(emt(20), 4_096, T_R50, "{}");

        // Then only the strongest is assigned
        assertThat(master.assignmentsFor(job, TrainingAssigned.class))
                .extracting(WorkerAssignment::getWorker)
                .containsExactly(w60.address());
    }

    @Test
    void shouldNotPoolWorkersIn1v1WhenNoneReachesRequiredCapacityAlone() {
        // Given a 1v1 master with workers of 40 and 30 (70 together)
        master.close();
        master = new MasterDriver(TestConfigs.config("1v1"));
        master.register(TestConfigs.worker(1), 40);
        master.register(TestConfigs.worker(2), 30);

        // When a job needing 50 is requested
        String job = master.request(emt(20), 4_096, T_R50, "{}");

        // Then it waits
        assertThat(master.job(job).getState()).isEqualTo(JobState.REQUESTED);
        assertThat(master.assignments()).isEmpty();
    }

    @Test
    void shouldMatchWhenDeadlineIsJustInsideTheMargin() {
        // Given a worker of 100: gas 5 takes 50,000 s; with 2 epochs, margin 3,600 s
        master.register(TestConfigs.worker(1), 100);

        // When the deadline is 1 ms later than now + 50,000 s + 3,600 s
        String job = master.request(emt(20), 4_096, Duration.ofMillis(53_600_001), "{}");

        // Then the job is matched
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);
    }

    @Test
    void shouldNotMatchWhenDeadlineIsJustOutsideTheMarginAndExpireItLater() {
        // Given a worker of 100
        master.register(TestConfigs.worker(1), 100);

        // When the deadline is exactly now + 50,000 s + 3,600 s
        String job = master.request(emt(20), 4_096, Duration.ofMillis(53_600_000), "{}");

        // Then it waits, and once the margin has passed it is ineligible
        assertThat(master.job(job).getState()).isEqualTo(JobState.REQUESTED);
        master.advance(Duration.ofSeconds(50_001));
        master.idle(TestConfigs.worker(1).address());
        assertThat(master.job(job).getState()).isEqualTo(JobState.INELIGIBLE);
        assertThat(master.job(job).getLastError()).contains("3600 s margin");
    }

    @Test
    void shouldGiveTheOnlyWorkerToTheHigherFeeAndLetTheOtherWait() {
        // Given two jobs and no worker yet
        String cheap = master.request(emt(15), 4_096, T_R50, "{}");
        String rich = master.request(emt(25), 4_096, T_R50, "{}");
        NodeIdentity worker = TestConfigs.worker(1);

        // When one worker registers
        master.register(worker, 100);

        // Then the higher fee wins and the other waits
        assertThat(master.job(rich).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.job(cheap).getState()).isEqualTo(JobState.REQUESTED);

        // When the rich job is taken by another node, the worker goes to the other job
        master.status(rich, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", JobStatus.PROCESSING);
        assertThat(master.job(cheap).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.assignments(worker.address(), TrainingAssigned.class)).hasSize(2);
        assertThat(master.assignments())
                .extracting(WorkerAssignment::getJobId)
                .containsExactly(rich, rich, cheap);
    }

    @Test
    void shouldReleaseWorkersWhenTheJobIsCanceledBeforeProcessing() {
        // Given a matched job
        NodeIdentity worker = TestConfigs.worker(1);
        master.register(worker, 100);
        String job = master.request(emt(20), 4_096, T_R50, "{}");
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);

        // When the requester cancels it on chain
        master.cancel(job);

        // Then the job is CANCELED, the worker told to stop and free again
        assertThat(master.job(job).getState()).isEqualTo(JobState.CANCELED);
        assertThat(master.assignments(worker.address(), TrainingCanceled.class)).hasSize(1);
        assertThat(master.worker(worker.address()).getState()).isEqualTo(WorkerState.IDLE);
        assertThat(master.commands(ProcessJob.class)).hasSize(1);
    }

    @Test
    void shouldReleaseWorkersWhenAnotherNodeTakesTheJob() {
        // Given a matched job
        NodeIdentity worker = TestConfigs.worker(1);
        master.register(worker, 100);
        String job = master.request(emt(20), 4_096, T_R50, "{}");

        // When another node's PROCESSING appears on chain
        String other = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
        master.status(job, other, JobStatus.PROCESSING);

        // Then the job is TAKEN and the worker free
        assertThat(master.job(job).getState()).isEqualTo(JobState.TAKEN);
        assertThat(master.job(job).getNode()).isEqualTo(other);
        assertThat(master.assignments(worker.address(), TrainingCanceled.class))
                .singleElement()
                .satisfies(c -> assertThat(c.getReason()).contains(other));
        assertThat(master.worker(worker.address()).getState()).isEqualTo(WorkerState.IDLE);
    }
}
