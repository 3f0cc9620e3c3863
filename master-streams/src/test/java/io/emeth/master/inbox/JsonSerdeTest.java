package io.emeth.master.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.gateway.ChainAction;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
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

    @Test
    void shouldRoundTripEveryPoolMessage() {
        JsonSerde<PoolMessage> serde = JsonSerde.of(PoolMessage.class);
        List<PoolMessage> messages =
                List.of(
                        new PoolMessage.WorkerRegistration(
                                "0xw", 1, 2, "cpu", "http://u", null, List.of("gpt2-medium")),
                        new PoolMessage.RegistrationRejected("0xw", 1, "forged", 2, "cpu", "u"),
                        new PoolMessage.Heartbeat("0xw", 1, WorkerPhase.LEARNING, "0xj", 1, 2, 0.5),
                        new PoolMessage.WorkerLeft("0xw", 1, "bye"),
                        new PoolMessage.DisconnectRequested("0xw", "c1", "cli"),
                        new PoolMessage.JobOpened(PLAN, 1),
                        new PoolMessage.JobReleased("0xj", "done", true),
                        new PoolMessage.WorkerDropped("0xj", 2, "0xw", "slow"),
                        new PoolMessage.ReplanRequested(PLAN, 3, List.of("0xw"), 1));
        for (PoolMessage m : messages) {
            byte[] bytes = serde.serializer().serialize("t", m);
            assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(m);
        }
    }

    @Test
    void shouldRoundTripEveryJobMessage() {
        JsonSerde<JobMessage> serde = JsonSerde.of(JobMessage.class);
        List<JobMessage> messages =
                List.of(
                        new JobMessage.Matched("0xj", 1, List.of(new Member("0xw", 0, 7))),
                        new JobMessage.Replanned("0xj", 2, List.of()),
                        new JobMessage.ReplanFailed("0xj", 1, "none free"),
                        new JobMessage.MatchExpired("0xj", "late"),
                        new JobMessage.WorkerGone("0xj", 1, "0xw", GoneKind.LOST, "silent"),
                        new JobMessage.TxOutcome(
                                "0xj", "0xc", ChainAction.SUBMIT_RESULT, false, "reverted"),
                        new JobMessage.DeclineRequested("0xj", "c", "cli"));
        for (JobMessage m : messages) {
            assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", m)))
                    .isEqualTo(m);
        }
    }

    @Test
    void shouldRejectGarbageWithASerializationExceptionNamingTheTopic() {
        JsonSerde<JobMessage> serde = JsonSerde.of(JobMessage.class);
        assertThatThrownBy(
                        () ->
                                serde.deserializer()
                                        .deserialize(
                                                "job-inbox",
                                                "{\"type\":\"nope\"}"
                                                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("job-inbox");
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }
}
