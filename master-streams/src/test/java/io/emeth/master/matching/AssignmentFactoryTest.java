package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.contracts.JobIds;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.worker.ModelConfig;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each member of an attempt is told, built without Avro builders. */
class AssignmentFactoryTest {

    @Test
    void shouldSeedTheModelWithTheFirstEightBytesOfTheJobIdWhateverItsCase() {
        // Given job ids in lower and upper case
        for (String jobId : List.of(JobIds.random(), "0x" + "FEDCBA98".repeat(4))) {
            // Then the seed is the id's first 8 bytes, as JobIds reads them
            long expected = ByteBuffer.wrap(JobIds.toBytes(jobId)).getLong();
            assertThat(AssignmentFactory.seed(jobId)).as(jobId).isEqualTo(expected);
        }
        // and an id that is no job id is refused with JobIds' error
        assertThatThrownBy(() -> AssignmentFactory.seed("0x12"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldTellEveryMemberItsRankShardAndTheSharedModelWithTheSchemasVocabulary() {
        // Given a job matched to two workers
        String jobId = "0x" + "0102030405060708" + "00".repeat(8);
        JobPlan plan =
                new JobPlan(jobId, BigInteger.TEN, 1L, 0L, 10_000, "d.txt", 0, 3, "en", 5, 50);
        List<Member> members = List.of(new Member("0xa", 0, 300), new Member("0xb", 1, 100));

        // When the assignments are built
        List<WorkerAssignment> out =
                AssignmentFactory.trainingAssigned(plan, members, 2, TestConfigs.config("nvm"));

        // Then each names its worker, job, attempt, rank and shard, and the model's defaults
        assertThat(out).extracting(WorkerAssignment::getWorker).containsExactly("0xa", "0xb");
        assertThat(out).allSatisfy(a -> assertThat(a.getAttempt()).isEqualTo(2));
        assertThat(out).allSatisfy(a -> assertThat(a.getJobId()).isEqualTo(jobId));
        TrainingAssigned second = (TrainingAssigned) out.get(1).getPayload();
        assertThat(second.getRank()).isEqualTo(1);
        assertThat(second.getWorldSize()).isEqualTo(2);
        assertThat(second.getEpochs()).isEqualTo(3);
        assertThat(second.getWorkers()).containsExactly("0xa", "0xb");
        assertThat(second.getAggregator()).isEqualTo("0xa");
        assertThat(second.getShard().getStartByte()).isEqualTo(6_975);
        assertThat(second.getShard().getEndByte()).isEqualTo(9_300);
        ModelConfig model = second.getModel();
        assertThat(model.getVocabSize()).isEqualTo(256);
        assertThat(model.getSeed()).isEqualTo(0x0102030405060708L);
    }
}
