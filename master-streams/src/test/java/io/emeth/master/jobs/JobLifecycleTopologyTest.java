package io.emeth.master.jobs;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.view.ContributionStatus;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A job's whole life through the topology: match, PROCESSING, every round, submit, verify. */
class JobLifecycleTopologyTest {
    private final MasterDriver master = new MasterDriver(TestConfigs.config("nvm"));

    @AfterEach
    void close() {
        master.close();
    }

    @Test
    void shouldTakeJobFromRequestToVerifiedThroughEveryRound() {
        // Given two workers whose summed capacity the job needs
        NodeIdentity a = TestConfigs.worker(1);
        NodeIdentity b = TestConfigs.worker(2);
        master.register(a, 30);
        master.register(b, 25);

        // When a 2-epoch job needing 50 is requested
        String job = master.request(emt(20), 4_096, Duration.ofSeconds(100_000), "{\"epoch\": 2}");

        // Then both are reserved, ranked strongest first, and the job is taken on chain once
        assertThat(master.assignments(a.address(), TrainingAssigned.class))
                .singleElement()
                .satisfies(t -> assertThat(t.getRank()).isZero());
        assertThat(master.assignments(b.address(), TrainingAssigned.class))
                .singleElement()
                .satisfies(t -> assertThat(t.getRank()).isEqualTo(1));
        assertThat(master.commands(ProcessJob.class))
                .singleElement()
                .satisfies(p -> assertThat(p.getJobId()).isEqualTo(job));
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.worker(a.address()).getState()).isEqualTo(WorkerState.RESERVED);

        // When the chain confirms our node processes it, and each round runs
        master.processingByUs(job);
        assertThat(master.job(job).getState()).isEqualTo(JobState.PROCESSING);
        assertThat(master.assignments(a.address(), RoundOpened.class)).hasSize(1);
        for (int epoch = 1; epoch <= 2; epoch++) {
            master.shard(job, 1, a.address(), epoch);
            master.shard(job, 1, b.address(), epoch);
            master.aggregated(job, 1, a.address(), epoch, 3.0 - epoch);
        }
        master.resultUploaded(job, 1, a.address(), "model-final.zip");

        // Then the result is submitted and the workers are free again
        assertThat(master.commands(SubmitResult.class))
                .singleElement()
                .satisfies(s -> assertThat(s.getResultFileName()).isEqualTo("model-final.zip"));
        assertThat(master.assignments(b.address(), RoundOpened.class))
                .extracting(RoundOpened::getEpoch)
                .containsExactly(1, 2);
        JobView submitting = master.job(job);
        assertThat(submitting.getState()).isEqualTo(JobState.SUBMITTING);
        assertThat(submitting.getLosses()).containsExactly(2.0, 1.0);
        assertThat(master.worker(a.address()).getState()).isEqualTo(WorkerState.IDLE);

        // When the chain reports submitted then verified
        master.status(job, master.pool(), JobStatus.SUBMITTED);
        master.status(job, master.pool(), JobStatus.VERIFIED);

        // Then the job is VERIFIED with both full contributions
        JobView verified = master.job(job);
        assertThat(verified.getState()).isEqualTo(JobState.VERIFIED);
        assertThat(verified.getWorkers())
                .allSatisfy(
                        w -> {
                            assertThat(w.getStatus()).isEqualTo(ContributionStatus.VERIFIED);
                            assertThat(w.getContribution()).isEqualTo(100_000);
                        });
        assertThat(master.commands(ProcessJob.class)).hasSize(1);
        assertThat(master.commands(SubmitResult.class)).hasSize(1);
    }
}
