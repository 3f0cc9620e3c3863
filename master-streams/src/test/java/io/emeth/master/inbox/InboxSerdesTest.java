package io.emeth.master.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.master.avro.MasterSerde;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.master.JobInboxRecord;
import io.emeth.schemas.avro.master.PoolInboxRecord;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The master's inbox records in Avro: every kind of message survives the trip through the registry
 * serde unchanged, and bytes that are not such a record (corrupt, foreign, or JSON from a master
 * before the move to Avro) fail with a {@link SerializationException} naming the topic, never with
 * another exception and never as a wrong value.
 */
class InboxSerdesTest {
    private static final String POOL_INBOX = "emeth-master-pool-inbox";
    private static final String JOB_INBOX = "emeth-master-job-inbox";
    private static final JobPlan PLAN =
            new JobPlan(
                    "0x" + "ab".repeat(16),
                    BigInteger.TWO.pow(200),
                    9L,
                    8L,
                    4_096,
                    "d.txt",
                    0,
                    2,
                    "ja",
                    5,
                    50);

    private final Topics topics = TestConfigs.mockTopics();
    private final MasterSerde<PoolMessage> pool =
            MasterSerde.of(topics, PoolMessage.class, PoolInboxRecord.class);
    private final MasterSerde<JobMessage> jobs =
            MasterSerde.of(topics, JobMessage.class, JobInboxRecord.class);

    static List<PoolMessage> everyPoolMessage() {
        return List.of(
                new PoolMessage.WorkerRegistration(
                        "0xw", 1, 2, "cpu", "http://u", 5_000L, List.of("gpt2-medium")),
                new PoolMessage.WorkerRegistration("0xw", 1, 2, null, null, null, List.of()),
                new PoolMessage.RegistrationRejected("0xw", 1, "forged", 2, "cpu", "u"),
                new PoolMessage.Heartbeat("0xw", 1, WorkerPhase.LEARNING, "0xj", 1, 2, 0.5),
                new PoolMessage.Heartbeat("0xw", 1, null, null, null, null, 0),
                new PoolMessage.WorkerLeft("0xw", 1, "bye"),
                new PoolMessage.DisconnectRequested("0xw", "c1", "cli"),
                new PoolMessage.JobOpened(PLAN, 2),
                new PoolMessage.JobReleased("0xj", "done", true),
                new PoolMessage.WorkerDropped("0xj", 2, "0xw", "slow"),
                new PoolMessage.ReplanRequested(PLAN, 3, List.of("0xw", "0xv"), 1),
                new PoolMessage.Heartbeats(
                        List.of(
                                new PoolMessage.ArrivedHeartbeat(
                                        new PoolMessage.Heartbeat(
                                                "0xw", 1, WorkerPhase.LEARNING, "0xj", 1, 2, 0.5),
                                        3),
                                new PoolMessage.ArrivedHeartbeat(
                                        new PoolMessage.Heartbeat(
                                                "0xv", 2, null, null, null, null, 0),
                                        4))),
                new PoolMessage.Heartbeats(List.of()));
    }

    static List<JobMessage> everyJobMessage() {
        return List.of(
                new JobMessage.Matched(
                        "0xj", 1, List.of(new Member("0xw", 0, 7), new Member("0xv", 1, 3))),
                new JobMessage.Replanned("0xj", 2, List.of()),
                new JobMessage.ReplanFailed("0xj", 1, "none free"),
                new JobMessage.MatchExpired("0xj", "late"),
                new JobMessage.WorkerGone("0xj", 1, "0xw", GoneKind.TIMED_OUT, "silent"),
                new JobMessage.TxOutcome(
                        "0xj", "0xc", ChainAction.SUBMIT_RESULT, false, "reverted"),
                new JobMessage.TxOutcome("0xj", null, null, true, null),
                new JobMessage.DeclineRequested("0xj", "c", "cli"));
    }

    @Test
    void shouldRoundTripEveryPoolMessageThroughAvro() {
        for (PoolMessage m : everyPoolMessage()) {
            // When
            byte[] bytes = pool.serializer().serialize(POOL_INBOX, m);

            // Then: the Confluent wire format (magic byte 0), and the same message back
            assertThat(bytes[0]).isZero();
            assertThat(pool.deserializer().deserialize(POOL_INBOX, bytes)).isEqualTo(m);
        }
    }

    @Test
    void shouldRoundTripEveryJobMessageThroughAvro() {
        for (JobMessage m : everyJobMessage()) {
            byte[] bytes = jobs.serializer().serialize(JOB_INBOX, m);
            assertThat(bytes[0]).isZero();
            assertThat(jobs.deserializer().deserialize(JOB_INBOX, bytes)).isEqualTo(m);
        }
    }

    @Test
    void shouldKeepFeesBeyondALong() {
        // Given a fee of 2^200 wei
        byte[] bytes = pool.serializer().serialize(POOL_INBOX, new PoolMessage.JobOpened(PLAN, 2));

        // Then it comes back exact
        PoolMessage.JobOpened back =
                (PoolMessage.JobOpened) pool.deserializer().deserialize(POOL_INBOX, bytes);
        assertThat(back.plan().fee()).isEqualTo(BigInteger.TWO.pow(200));
    }

    @Test
    void shouldNameTheTopicAndTheResetToolForJsonFromAnOlderMaster() {
        // Given the JSON the master wrote before its inboxes were Avro
        byte[] json =
                ("{\"type\":\"heartbeat\",\"worker\":\"0xw\",\"at\":1,\"phase\":\"IDLE\","
                                + "\"progress\":0.0}")
                        .getBytes(StandardCharsets.UTF_8);

        // Then
        assertThatThrownBy(() -> pool.deserializer().deserialize(POOL_INBOX, json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(POOL_INBOX)
                .hasMessageContaining("JSON PoolMessage")
                .hasMessageContaining("reset tool");
    }

    @Test
    void shouldRejectCorruptBytesWithASerializationExceptionNamingTheTopic() {
        byte[] valid =
                jobs.serializer().serialize(JOB_INBOX, new JobMessage.MatchExpired("0xj", "late"));
        List<byte[]> hostile =
                List.of(
                        new byte[0],
                        new byte[] {0, 0, 0},
                        new byte[] {1, 0, 0, 0, 1, 2},
                        // an id the registry never gave out
                        new byte[] {0, 0x7f, 0, 0, 1, 2},
                        // the right header, a truncated body
                        Arrays.copyOf(valid, valid.length - 2),
                        // the right header, trailing bytes
                        Arrays.copyOf(valid, valid.length + 3),
                        // a union index no branch has
                        header(valid, 0x7e));
        for (byte[] bytes : hostile) {
            assertThatThrownBy(() -> jobs.deserializer().deserialize(JOB_INBOX, bytes))
                    .as("%d bytes", bytes.length)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining(JOB_INBOX);
        }
    }

    @Test
    void shouldNeverAnswerRandomBytesWithAnythingButASerializationException() {
        // Given random bodies behind a valid header, seeded
        byte[] valid = jobs.serializer().serialize(JOB_INBOX, everyJobMessage().get(0));
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = Arrays.copyOf(valid, 5 + random.nextInt(64));
            for (int b = 5; b < bytes.length; b++) {
                bytes[b] = (byte) random.nextInt(256);
            }
            // Then: a message back (random bytes may happen to be valid Avro) or a clear error
            try {
                assertThat(jobs.deserializer().deserialize(JOB_INBOX, bytes)).isNotNull();
            } catch (SerializationException e) {
                assertThat(e).hasMessageContaining(JOB_INBOX);
            }
        }
    }

    @Test
    void shouldRefuseAPoolMessageOnTheJobInbox() {
        // Given a valid record of the other inbox's schema
        byte[] poolBytes =
                pool.serializer().serialize(JOB_INBOX, new PoolMessage.WorkerLeft("0xw", 1, "x"));

        // Then the job inbox does not read it as one of its messages
        assertThatThrownBy(() -> jobs.deserializer().deserialize(JOB_INBOX, poolBytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(JOB_INBOX);
    }

    @Test
    void shouldPassNullsThrough() {
        assertThat(pool.serializer().serialize(POOL_INBOX, null)).isNull();
        assertThat(pool.deserializer().deserialize(POOL_INBOX, null)).isNull();
    }

    /** {@code valid}'s header followed by one byte. */
    private static byte[] header(byte[] valid, int body) {
        byte[] out = Arrays.copyOf(valid, 6);
        out[5] = (byte) body;
        return out;
    }
}
