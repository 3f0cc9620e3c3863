package io.emeth.master.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.master.avro.MasterSerde;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.master.JobRecordState;
import io.emeth.schemas.avro.view.ContributionStatus;
import io.emeth.schemas.avro.view.JobState;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The job coordinator's {@code job-store} in Avro: a job in the middle of training, with every
 * field set, comes back equal field by field; the JSON an older master kept is refused with the
 * store's changelog and the way out named.
 */
class JobRecordSerdeTest {
    private static final String CHANGELOG = "emeth-master-job-store-changelog";

    private final Topics topics = TestConfigs.mockTopics();
    private final MasterSerde<JobRecord> serde =
            MasterSerde.of(topics, JobRecord.class, JobRecordState.class);

    @Test
    void shouldRoundTripAJobInTrainingWithEveryFieldSet() {
        // Given
        JobRecord rec = new JobRecord();
        rec.jobId = "0xj";
        rec.state = JobState.PROCESSING;
        rec.plan = new JobPlan("0xj", BigInteger.TWO.pow(90), 1, 2, 4_096, "d", 0, 3, "ja", 5, 50);
        rec.fee = BigInteger.TWO.pow(90).add(BigInteger.ONE);
        rec.deadlineMs = 3;
        rec.datasetSizeBytes = 4_096L;
        rec.programId = 7;
        rec.owner = "0xo";
        rec.dataset = "d";
        rec.requestedAtMs = 4;
        rec.epochs = 3;
        rec.chainStatus = JobStatus.PROCESSING;
        rec.node = "0xn";
        rec.processingByUs = true;
        rec.requestBlock = 99L;
        rec.chainSteps =
                new ArrayList<>(
                        List.of(
                                new ChainRewinds.ChainStep(100, JobStatus.PROCESSING, "0xn"),
                                new ChainRewinds.ChainStep(101, JobStatus.CANCELED, null)));
        rec.attempt = 2;
        rec.openings = 3;
        Participant p = new Participant("0xw", 0, 30, 5);
        p.status = ContributionStatus.VERIFIED;
        p.endedAt = 6L;
        p.rounds = 2;
        rec.workers = new ArrayList<>(List.of(p, new Participant("0xv", 1, 20, 5)));
        rec.matched = true;
        rec.replanPending = true;
        rec.released = false;
        rec.roundEpoch = 2;
        rec.roundParticipants = new ArrayList<>(List.of("0xw", "0xv"));
        rec.roundAggregator = "0xw";
        rec.shardsIn = new ArrayList<>(List.of("0xv"));
        rec.completedEpochs = 1;
        rec.losses = new ArrayList<>(List.of(2.5, 1.25));
        rec.globalModel = new ModelRefData("m/1", "ab".repeat(32), 1234);
        rec.hashChain = "cd".repeat(32);
        rec.resultFileName = "result";
        rec.declinePending = true;
        rec.declineSent = true;
        rec.lastError = "err";
        rec.updatedAt = 8;
        rec.timerDueAt = 9L;
        rec.timerKind = "round";

        // When
        byte[] bytes = serde.serializer().serialize(CHANGELOG, rec);
        JobRecord back = serde.deserializer().deserialize(CHANGELOG, bytes);

        // Then
        assertThat(bytes[0]).isZero();
        assertThat(back).usingRecursiveComparison().isEqualTo(rec);
        // the coordinator mutates what it loads
        back.chainSteps.add(new ChainRewinds.ChainStep(102, JobStatus.SUBMITTED, "0xn"));
        back.losses.add(1.0);
    }

    @Test
    void shouldRoundTripAJobJustSeen() {
        JobRecord rec = new JobRecord();
        rec.jobId = "0xj";
        rec.state = JobState.REQUESTED;

        JobRecord back =
                serde.deserializer()
                        .deserialize(CHANGELOG, serde.serializer().serialize(CHANGELOG, rec));

        assertThat(back).usingRecursiveComparison().isEqualTo(rec);
        assertThat(back.released).isTrue();
        assertThat(back.hashChain).isEmpty();
    }

    @Test
    void shouldRefuseCorruptStoreBytesNamingTheChangelog() {
        JobRecord rec = new JobRecord();
        rec.jobId = "0xj";
        rec.state = JobState.MATCHED;
        byte[] valid = serde.serializer().serialize(CHANGELOG, rec);
        List<byte[]> corrupt =
                List.of(
                        Arrays.copyOf(valid, 5),
                        Arrays.copyOf(valid, valid.length - 1),
                        Arrays.copyOf(valid, valid.length + 2));

        for (byte[] bytes : corrupt) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(CHANGELOG, bytes))
                    .as("%d bytes", bytes.length)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining(CHANGELOG);
        }
    }

    @Test
    void shouldNameAStateSymbolThisVersionDoesNotKnow() {
        // Given a record whose state string is no JobState (written by a newer or broken master)
        JobRecordState avro = (JobRecordState) serde.mapper().toAvro(newRecord());
        avro.setState("EXPLODED");
        byte[] bytes =
                topics.valueSerde(JobRecordState.class).serializer().serialize(CHANGELOG, avro);

        // Then
        assertThatThrownBy(() -> serde.deserializer().deserialize(CHANGELOG, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(CHANGELOG)
                .hasMessageContaining("'EXPLODED' is not a JobState");
    }

    private static JobRecord newRecord() {
        JobRecord rec = new JobRecord();
        rec.jobId = "0xj";
        rec.state = JobState.REQUESTED;
        return rec;
    }

    @Test
    void shouldRefuseTheJsonAnOlderMasterLeftInTheStore() {
        byte[] json =
                "{\"jobId\":\"0xj\",\"state\":\"REQUESTED\",\"released\":true}"
                        .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> serde.deserializer().deserialize(CHANGELOG, json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(CHANGELOG)
                .hasMessageContaining("JSON JobRecord")
                .hasMessageContaining("reset tool");
    }
}
