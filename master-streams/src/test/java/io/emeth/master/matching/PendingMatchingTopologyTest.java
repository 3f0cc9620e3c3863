package io.emeth.master.matching;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pending index through the whole topology: jobs that arrive together are matched in one pass,
 * highest fee first; a worker that becomes free takes the best job it can complete and passes over
 * a higher-fee one it cannot.
 */
class PendingMatchingTopologyTest {
    /** A 4 KiB data set has gas 5: R = 50 (the margin makes it 52). */
    private static final Duration T_R50 = Duration.ofSeconds(100_000);

    /** R = 10 (the margin makes it 11). */
    private static final Duration T_R10 = Duration.ofSeconds(500_000);

    private MasterDriver master;

    @AfterEach
    void close() {
        master.close();
    }

    @Test
    void shouldGiveTheOnlyWorkerToTheHighestFeeOfJobsArrivingInOneBatch() {
        // Given a master that matches every 5 ms and one free worker
        master = new MasterDriver(TestConfigs.config("nvm", "\"match_batch_ms\": 5"));
        NodeIdentity worker = TestConfigs.worker(1);
        master.register(worker, 100);

        // When three jobs arrive together, the highest fee second
        String low = master.request(emt(15), 4_096, T_R50, "{}");
        String high = master.request(emt(25), 4_096, T_R50, "{}");
        String middle = master.request(emt(20), 4_096, T_R50, "{}");
        assertThat(master.assignments()).isEmpty(); // applied, not matched yet
        master.advance(Duration.ofMillis(5));

        // Then the highest fee gets the worker, although it arrived after the lowest
        assertThat(master.assignmentsFor(high, TrainingAssigned.class))
                .extracting(WorkerAssignment::getWorker)
                .containsExactly(worker.address());
        assertThat(master.job(high).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.job(low).getState()).isEqualTo(JobState.REQUESTED);
        assertThat(master.job(middle).getState()).isEqualTo(JobState.REQUESTED);
    }

    @Test
    void shouldGiveANewWorkerTheBestJobItCanCompleteSkippingAHigherFeeItCannot() {
        // Given jobs waiting: the highest fee needs 52, the next two need 11
        master = new MasterDriver(TestConfigs.config("nvm"));
        String big = master.request(emt(29), 4_096, T_R50, "{}");
        String small = master.request(emt(20), 4_096, T_R10, "{}");
        String smaller = master.request(emt(15), 4_096, T_R10, "{}");

        // When a worker of capacity 20 registers
        NodeIdentity worker = TestConfigs.worker(1);
        master.register(worker, 20);

        // Then it takes the best job it can complete, and the big one still waits
        assertThat(master.assignmentsFor(small, TrainingAssigned.class))
                .extracting(WorkerAssignment::getWorker)
                .containsExactly(worker.address());
        assertThat(master.job(big).getState()).isEqualTo(JobState.REQUESTED);
        assertThat(master.job(smaller).getState()).isEqualTo(JobState.REQUESTED);
    }

    @Test
    void shouldGiveAReleasedWorkerTheBestJobItCanComplete() {
        // Given a worker of 20 busy with a job, and jobs waiting that need 52 and 11
        master = new MasterDriver(TestConfigs.config("nvm"));
        NodeIdentity worker = TestConfigs.worker(1);
        master.register(worker, 20);
        String first = master.request(emt(20), 4_096, T_R10, "{}");
        assertThat(master.job(first).getState()).isEqualTo(JobState.MATCHED);
        String big = master.request(emt(29), 4_096, T_R50, "{}");
        String small = master.request(emt(12), 4_096, T_R10, "{}");

        // When its job is canceled and the worker released
        master.cancel(first);

        // Then it takes the job it can complete, not the higher-fee one it cannot
        assertThat(master.worker(worker.address()).getState()).isEqualTo(WorkerState.RESERVED);
        assertThat(master.job(small).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.job(big).getState()).isEqualTo(JobState.REQUESTED);
    }
}
