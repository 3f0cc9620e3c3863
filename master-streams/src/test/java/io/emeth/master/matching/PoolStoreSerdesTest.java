package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.master.avro.MasterSerde;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.master.PoolJobState;
import io.emeth.schemas.avro.master.PoolWorkerState;
import io.emeth.schemas.avro.view.WorkerState;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The pool matcher's stores in Avro: a worker and a job with every field set come back equal field
 * by field, and the JSON an older master left in a store is refused with an error that names the
 * store's changelog and the way out, never read as an empty worker.
 */
class PoolStoreSerdesTest {
    private static final String WORKERS_CHANGELOG = "emeth-master-pool-workers-store-changelog";
    private static final String JOBS_CHANGELOG = "emeth-master-pool-jobs-store-changelog";

    private final Topics topics = TestConfigs.mockTopics();
    private final MasterSerde<PoolWorker> workers =
            MasterSerde.of(topics, PoolWorker.class, PoolWorkerState.class);
    private final MasterSerde<PoolJob> jobs =
            MasterSerde.of(topics, PoolJob.class, PoolJobState.class);

    @Test
    void shouldRoundTripAWorkerWithEveryFieldSet() {
        // Given a reserved worker with every field away from its default
        PoolWorker w = new PoolWorker("0xw", "0xpool");
        w.powerCapacity = 123;
        w.device = "cuda:0";
        w.url = "http://w";
        w.state = WorkerState.RESERVED;
        w.jobId = "0xj";
        w.attempt = 2;
        w.rank = 1;
        w.registeredAt = 10;
        w.reservedAt = 11;
        w.lastSeenAt = 12;
        w.heartbeatTimeoutMs = 13;
        w.phase = WorkerPhase.LEARNING;
        w.phaseSince = 14;
        w.progress = 0.25;
        w.progressAt = 15;
        w.epoch = 3;
        w.heartbeatJobId = "0xk";
        w.heartbeatAt = 16L;
        w.lastError = "slow";
        w.viewAt = 17;
        w.goneAt = 18;
        w.models = new ArrayList<>(List.of("gpt2-medium", "japanese-gpt2-medium"));

        // When
        byte[] bytes = workers.serializer().serialize(WORKERS_CHANGELOG, w);
        PoolWorker back = workers.deserializer().deserialize(WORKERS_CHANGELOG, bytes);

        // Then
        assertThat(bytes[0]).isZero();
        assertThat(back).usingRecursiveComparison().isEqualTo(w);
        // the processors mutate what they load
        back.models.add("another");
    }

    @Test
    void shouldRoundTripAFreshWorkerWithItsNulls() {
        PoolWorker w = new PoolWorker("0xw", null);
        w.phase = null;

        PoolWorker back =
                workers.deserializer()
                        .deserialize(
                                WORKERS_CHANGELOG,
                                workers.serializer().serialize(WORKERS_CHANGELOG, w));

        assertThat(back).usingRecursiveComparison().isEqualTo(w);
    }

    @Test
    void shouldRoundTripAJobWithEveryFieldSet() {
        PoolJob j =
                new PoolJob(
                        new JobPlan(
                                "0xj",
                                BigInteger.TWO.pow(100),
                                1,
                                2,
                                4_096,
                                "d.txt",
                                0,
                                3,
                                "en",
                                5,
                                50),
                        2);
        j.active = true;
        j.attempt = 2;
        j.members = new ArrayList<>(List.of(new Member("0xw", 0, 30), new Member("0xv", 1, 20)));
        j.processSent = true;
        j.pendingKey = "key";
        j.replanOf = 1;
        j.replanEpochs = 2;
        j.excluded = new ArrayList<>(List.of("0xu"));

        PoolJob back =
                jobs.deserializer()
                        .deserialize(
                                JOBS_CHANGELOG, jobs.serializer().serialize(JOBS_CHANGELOG, j));

        assertThat(back).usingRecursiveComparison().isEqualTo(j);
        back.excluded.add("0xt");
    }

    @Test
    void shouldRefuseTheJsonAnOlderMasterLeftInTheStore() throws Exception {
        // Given the JSON a master before the move to Avro kept in pool-workers-store
        byte[] json =
                new ObjectMapper()
                        .writeValueAsString(
                                Map.of("worker", "0xw", "pool", "0xpool", "powerCapacity", 100))
                        .getBytes(StandardCharsets.UTF_8);

        // Then reading it fails, naming the store's changelog and the reset tool
        assertThatThrownBy(() -> workers.deserializer().deserialize(WORKERS_CHANGELOG, json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(WORKERS_CHANGELOG)
                .hasMessageContaining("JSON PoolWorker")
                .hasMessageContaining("reset tool");
    }

    @Test
    void shouldRefuseCorruptStoreBytesNamingTheChangelog() {
        // Given a stored worker, then damaged copies of its bytes
        PoolWorker w = new PoolWorker("0xw", "0xpool");
        w.models = new ArrayList<>(List.of("gpt2-medium"));
        byte[] valid = workers.serializer().serialize(WORKERS_CHANGELOG, w);
        List<byte[]> corrupt =
                List.of(
                        new byte[] {0},
                        Arrays.copyOf(valid, valid.length - 1),
                        Arrays.copyOf(valid, valid.length + 1),
                        "not a record".getBytes(StandardCharsets.UTF_8));

        // Then each read fails with the changelog (the store) named
        for (byte[] bytes : corrupt) {
            assertThatThrownBy(() -> workers.deserializer().deserialize(WORKERS_CHANGELOG, bytes))
                    .as("%d bytes", bytes.length)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining(WORKERS_CHANGELOG);
        }
    }

    @Test
    void shouldRefuseAJobRecordWhereAWorkerIsExpected() {
        // Given valid Avro of the other store's type on the workers' changelog
        PoolJob j = new PoolJob();
        byte[] bytes = jobs.serializer().serialize(WORKERS_CHANGELOG + "-x", j);

        assertThatThrownBy(() -> workers.deserializer().deserialize(WORKERS_CHANGELOG, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(WORKERS_CHANGELOG)
                .hasMessageContaining("PoolWorker");
    }
}
