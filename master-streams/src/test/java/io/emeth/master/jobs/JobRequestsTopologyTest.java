package io.emeth.master.jobs;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.TrainingCanceled;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests the master must refuse with a clear reason on the job's view (malformed, hostile or
 * oversized input, unknown program, unknown size), replays, a failed ProcessJob and the training
 * parameters it hands to workers.
 */
class JobRequestsTopologyTest {
    private final MasterDriver master = new MasterDriver(TestConfigs.config("nvm"));

    @AfterEach
    void close() {
        master.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not json",
                "{\"epoch\": 2} trailing",
                "[1, 2]",
                "{\"epoch\": 0}",
                "{\"epoch\": 1.5}",
                "{\"epoch\": 99999999999999999999}",
                "{\"language\": \"fr\"}",
                "{\"language\": 7}",
                "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}}}}}}}}}"
            })
    void shouldRefuseAMalformedParamNamingIt(String param) {
        // Given a free worker
        master.register(TestConfigs.worker(1), 100);

        // When a job with this param is requested
        String job = master.request(emt(20), 4_096, Duration.ofDays(2), param);

        // Then it is INELIGIBLE with the reason naming param, and nothing is assigned
        assertThat(master.job(job).getState()).isEqualTo(JobState.INELIGIBLE);
        assertThat(master.job(job).getLastError()).contains("param");
        assertThat(master.assignments()).isEmpty();
    }

    @Test
    void shouldRefuseAnOversizedParam() {
        String job =
                master.request(
                        emt(20),
                        4_096,
                        Duration.ofDays(2),
                        "{\"language\": \"en\", \"x\": \"" + "y".repeat(100_000) + "\"}");
        assertThat(master.job(job).getLastError()).contains("more than 4096");
    }

    @Test
    void shouldRefuseAnUnknownProgramAndAnUnknownSize() {
        String program = MasterDriver.jobId();
        master.request(
                program,
                emt(20),
                4_096L,
                master.now(),
                master.now().plus(Duration.ofDays(2)),
                "{}",
                7);
        String unknownSize = MasterDriver.jobId();
        master.request(
                unknownSize,
                emt(20),
                null,
                master.now(),
                master.now().plus(Duration.ofDays(2)),
                "{}",
                0);
        String backwards = MasterDriver.jobId();
        master.request(
                backwards, emt(20), 4_096L, master.now(), master.now().minusSeconds(1), "{}", 0);

        assertThat(master.job(program).getLastError()).contains("programId 7");
        assertThat(master.job(unknownSize).getLastError()).contains("size of data set");
        assertThat(master.job(backwards).getLastError()).contains("is not after the request");
    }

    @Test
    void shouldRefuseAFeeBelowTheContractsVerifierFeeEvenInsideTheFeeWindow() {
        // Given a master whose fee window starts at 1 EMT, on a contract whose VERIFIER_FEE is 10
        try (MasterDriver cheap =
                new MasterDriver(
                        TestConfigs.config("nvm", "\"min_fee\": \"1000000000000000000\""))) {
            cheap.register(TestConfigs.worker(1), 100);

            // When a job paying 5 EMT and one paying 10 EMT are requested
            String below = cheap.request(emt(5), 4_096, Duration.ofDays(2), "{}");
            String exact = cheap.request(emt(10), 4_096, Duration.ofDays(2), "{}");

            // Then the first is INELIGIBLE naming VERIFIER_FEE, the second is taken
            assertThat(cheap.job(below).getState()).isEqualTo(JobState.INELIGIBLE);
            assertThat(cheap.job(below).getLastError())
                    .contains("below the contract's VERIFIER_FEE", "never be verified");
            assertThat(cheap.job(exact).getState()).isNotEqualTo(JobState.INELIGIBLE);
            assertThat(cheap.commands())
                    .extracting(c -> ((ProcessJob) c.getPayload()).getJobId())
                    .containsExactly(exact);
        }
    }

    @Test
    void shouldRefuseAJobWhoseDeadlineHasPassed() {
        // Given a free worker
        master.register(TestConfigs.worker(1), 100);

        // When a job is indexed after its deadline (the contract lets a node take it)
        String late = MasterDriver.jobId();
        master.request(
                late,
                emt(20),
                4_096L,
                master.now().minus(Duration.ofDays(3)),
                master.now().minus(Duration.ofMinutes(1)),
                "{}",
                0);

        // Then it is INELIGIBLE with the reason, and no ProcessJob goes out
        assertThat(master.job(late).getState()).isEqualTo(JobState.INELIGIBLE);
        assertThat(master.job(late).getLastError()).contains("deadline", "has passed");
        assertThat(master.commands()).isEmpty();
        assertThat(master.assignments()).isEmpty();
    }

    @Test
    void shouldHandOutTheParamsEpochsLanguageAndSplits() {
        master.register(TestConfigs.worker(1), 100);
        String job =
                master.request(
                        emt(20),
                        10_000,
                        Duration.ofDays(2),
                        "{\"epoch\": 3, \"language\": \"JA\"}");
        TrainingAssigned assigned =
                master.assignments(TestConfigs.worker(1).address(), TrainingAssigned.class).get(0);
        assertThat(assigned.getEpochs()).isEqualTo(3);
        assertThat(assigned.getLanguage()).isEqualTo("ja");
        assertThat(assigned.getValidation().getStartByte()).isEqualTo(9_000);
        assertThat(assigned.getShard().getEndByte()).isEqualTo(9_000);
        assertThat(assigned.getTimeouts().getLearningMs()).isEqualTo(10_000);
        assertThat(assigned.getDataset().getSizeBytes()).isEqualTo(10_000);
        assertThat(master.job(job).getEpochs()).isEqualTo(3);
    }

    @Test
    void shouldIgnoreAReplayedRequest() {
        master.register(TestConfigs.worker(1), 100);
        String job = master.request(emt(20), 4_096, Duration.ofDays(2), "{}");
        master.request(
                job, emt(20), 4_096L, master.now(), master.now().plus(Duration.ofDays(2)), "{}", 0);
        assertThat(master.commands(ProcessJob.class)).hasSize(1);
        assertThat(master.assignments()).hasSize(1);
    }

    @Test
    void shouldFreeTheWorkersWhenProcessJobFails() {
        // Given a matched job
        master.register(TestConfigs.worker(1), 100);
        String job = master.request(emt(20), 4_096, Duration.ofDays(2), "{}");
        ChainCommand process = master.commands().get(0);

        // When the gateway reports the process transaction failed
        master.txFailed(process, ChainAction.PROCESS_JOB, job);

        // Then the job is not pursued and the worker is free
        assertThat(master.job(job).getState()).isEqualTo(JobState.INELIGIBLE);
        assertThat(master.job(job).getLastError()).contains("insufficient EMT");
        assertThat(master.assignments(TestConfigs.worker(1).address(), TrainingCanceled.class))
                .hasSize(1);
        assertThat(master.worker(TestConfigs.worker(1).address()).getState())
                .isEqualTo(WorkerState.IDLE);
    }

    @Test
    void shouldIgnoreChainEventsWithABadJobIdOrForUnknownJobs() {
        master.chainEvent("0x1234", io.emeth.schemas.avro.chain.JobCanceled.newBuilder().build());
        master.cancel(MasterDriver.jobId());
        assertThat(master.jobViews()).isEmpty();
    }
}
