package io.emeth.master.jobs;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.CommandIds;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.TrainingCanceled;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The master undoing what a reorg took back ({@code JobEventsRewound} from the indexer), through
 * the whole topology: another node's orphaned PROCESSING makes the job matchable again, an orphaned
 * request forgets the job, our own orphaned PROCESSING keeps the training going.
 */
class ChainRewindsTopologyTest {
    /** A 4 KiB data set has gas 5; with this time limit R = 5·10^6 / 100000 = 50. */
    static final Duration T_R50 = Duration.ofSeconds(100_000);

    static final String OTHER_NODE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

    private final MasterDriver master = new MasterDriver(TestConfigs.config("nvm"));

    @AfterEach
    void close() {
        master.close();
    }

    @Test
    void shouldMakeAJobMatchableAgainWhenAnotherNodesProcessingIsReorgedOut() {
        // Given a requested job that another node took while this pool had no worker
        String job = master.request(emt(20), 4_096, T_R50, "{}");
        master.status(job, OTHER_NODE, JobStatus.PROCESSING);
        long processingBlock = master.lastBlock();
        assertThat(master.job(job).getState()).isEqualTo(JobState.TAKEN);

        // When the indexer says the job's events from that block on are void
        master.rewound(job, processingBlock);

        // Then the job is REQUESTED again, with no node, and says why
        assertThat(master.job(job).getState()).isEqualTo(JobState.REQUESTED);
        assertThat(master.job(job).getChainStatus()).isEqualTo(JobStatus.REQUESTED);
        assertThat(master.job(job).getNode()).isNull();
        assertThat(master.job(job).getLastError()).contains("reorg").contains("" + processingBlock);

        // And a worker that joins now gets it, and the master takes it on chain
        NodeIdentity worker = TestConfigs.worker(1);
        master.register(worker, 100);
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);
        assertThat(master.assignmentsFor(job, TrainingAssigned.class))
                .singleElement()
                .satisfies(a -> assertThat(a.getWorker()).isEqualTo(worker.address()));
        assertThat(master.commands(ProcessJob.class))
                .singleElement()
                .satisfies(p -> assertThat(p.getJobId()).isEqualTo(job));
    }

    @Test
    void shouldSendANewProcessCommandWhenAJobLostToAnotherNodeIsReopenedAndMatchedAgain() {
        // Given a job this pool matched and sent a ProcessJob for, which another node took first
        NodeIdentity worker = TestConfigs.worker(1);
        master.register(worker, 100);
        String job = master.request(emt(20), 4_096, T_R50, "{}");
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);
        master.status(job, OTHER_NODE, JobStatus.PROCESSING);
        long processingBlock = master.lastBlock();
        assertThat(master.job(job).getState()).isEqualTo(JobState.TAKEN);
        assertThat(master.worker(worker.address()).getState()).isEqualTo(WorkerState.IDLE);

        // When a reorg voids the other node's PROCESSING and the job is matched again
        master.rewound(job, processingBlock);
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);

        // Then the second ProcessJob is a new command: the gateway, which journaled the first
        // one's outcome, executes it instead of answering it from the journal
        List<ChainCommand> processes =
                master.commands().stream()
                        .filter(c -> c.getPayload() instanceof ProcessJob)
                        .toList();
        assertThat(processes).hasSize(2);
        assertThat(processes)
                .allSatisfy(
                        c -> assertThat(((ProcessJob) c.getPayload()).getJobId()).isEqualTo(job));
        assertThat(processes.get(1).getCommandId()).isNotEqualTo(processes.get(0).getCommandId());
        // the first match keeps the id it always had
        assertThat(processes.get(0).getCommandId())
                .isEqualTo(CommandIds.of(job, ChainAction.PROCESS_JOB, 1));
        assertThat(processes.get(1).getCommandId())
                .isEqualTo(CommandIds.of(job, ChainAction.PROCESS_JOB, 2));
    }

    @Test
    void shouldChangeNothingWhenTheRewindIsAboveEveryEventOfTheJob() {
        // Given a job another node took
        String job = master.request(emt(20), 4_096, T_R50, "{}");
        master.status(job, OTHER_NODE, JobStatus.PROCESSING);
        int views = master.jobViews().size();

        // When a rewind starts above its last event
        master.rewound(job, master.lastBlock() + 1);

        // Then it stays TAKEN and no new view is published
        assertThat(master.jobViews()).hasSize(views);
        assertThat(master.job(job).getState()).isEqualTo(JobState.TAKEN);
    }

    @Test
    void shouldForgetAJobWhoseRequestIsReorgedOutAndFreeItsWorker() {
        // Given a matched job
        NodeIdentity worker = TestConfigs.worker(1);
        master.register(worker, 100);
        String job = master.request(emt(20), 4_096, T_R50, "{}");
        long requestBlock = master.lastBlock();
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);

        // When its request is rewound
        master.rewound(job, requestBlock);

        // Then the job is gone from job-status, and the worker told to stop and free again
        assertThat(master.jobs()).doesNotContainKey(job);
        assertThat(master.assignments(worker.address(), TrainingCanceled.class)).hasSize(1);
        assertThat(master.worker(worker.address()).getState()).isEqualTo(WorkerState.IDLE);

        // And the same request mined again on the new branch is a new job
        master.request(job, emt(20), 4_096L, master.now(), master.now().plus(T_R50), "{}", 0);
        assertThat(master.job(job).getState()).isEqualTo(JobState.MATCHED);
    }

    @Test
    void shouldKeepTrainingWhenOurOwnProcessingIsReorgedOut() {
        // Given a job we process, its first round open
        NodeIdentity worker = TestConfigs.worker(1);
        master.register(worker, 100);
        String job = master.request(emt(20), 4_096, T_R50, "{}");
        master.processingByUs(job);
        long processingBlock = master.lastBlock();
        assertThat(master.job(job).getState()).isEqualTo(JobState.PROCESSING);

        // When our PROCESSING is rewound, and then mined again on the new branch
        master.rewound(job, processingBlock);
        assertThat(master.job(job).getChainStatus()).isEqualTo(JobStatus.REQUESTED);
        master.processingByUs(job);

        // Then the training went on: no cancel, no decline, no second round or process
        assertThat(master.job(job).getState()).isEqualTo(JobState.PROCESSING);
        assertThat(master.job(job).getChainStatus()).isEqualTo(JobStatus.PROCESSING);
        assertThat(master.assignments(worker.address(), TrainingCanceled.class)).isEmpty();
        assertThat(master.assignments(worker.address(), RoundOpened.class)).hasSize(1);
        assertThat(master.commands(DeclineJob.class)).isEmpty();
        assertThat(master.commands(ProcessJob.class)).hasSize(1);
    }
}
