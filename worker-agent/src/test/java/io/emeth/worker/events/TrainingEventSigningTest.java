package io.emeth.worker.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingEventSigningTest {

    private static final String JOB = "0x0123456789abcdef0123456789abcdef";
    private static final NodeIdentity WORKER = NodeIdentity.generate();
    private static final ModelRef MODEL =
            ModelRef.newBuilder()
                    .setUri(JOB + "-1.emwt")
                    .setSha256("ab".repeat(32))
                    .setSizeBytes(1234)
                    .build();
    private final TrainingEvents events =
            new TrainingEvents(
                    WORKER,
                    Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC),
                    JOB,
                    1);

    @Test
    void shouldSignEveryKindSoThatItVerifiesAsItsWorkers() {
        List<TrainingEvent> all =
                List.of(
                        events.shardTrained(1, 0, MODEL, 2.5, 1000, Duration.ofMillis(900)),
                        events.roundAggregated(
                                1,
                                MODEL,
                                2.1,
                                "cd".repeat(32),
                                List.of(WORKER.address()),
                                List.of(
                                        RejectedShard.newBuilder()
                                                .setWorker("0xabc")
                                                .setReason("NaN")
                                                .build())),
                        events.resultUploaded("result.zip", MODEL, "cd".repeat(32), null),
                        events.resultUploaded("result.zip", MODEL, "cd".repeat(32), 2.0),
                        events.failed(
                                0, "job " + JOB + ": data set is empty", WorkerPhase.WAIT_DATA),
                        events.failed(2, "crash", null));
        for (TrainingEvent event : all) {
            assertThat(event.getWorker()).isEqualTo(WORKER.address());
            assertThat(TrainingEventSigning.problem(event)).as("%s", event).isNull();
        }
    }

    @Test
    void shouldRejectAnEventWhoseFieldsChangedAfterSigning() {
        // Given a signed shard
        TrainingEvent signed = events.shardTrained(1, 0, MODEL, 2.5, 1000, Duration.ofMillis(900));

        // When any signed field is altered, the signature no longer matches the event's worker
        TrainingEvent moreTokens = TrainingEvent.newBuilder(signed).build();
        ((ShardTrained) moreTokens.getPayload()).setTokens(1_000_000);
        TrainingEvent otherHash = TrainingEvent.newBuilder(signed).build();
        ShardTrained shard = ShardTrained.newBuilder((ShardTrained) signed.getPayload()).build();
        shard.setModel(ModelRef.newBuilder(MODEL).setSha256("ef".repeat(32)).build());
        otherHash.setPayload(shard);
        TrainingEvent otherAttempt = TrainingEvent.newBuilder(signed).setAttempt(2).build();
        TrainingEvent later =
                TrainingEvent.newBuilder(signed)
                        .setAt(Instant.ofEpochMilli(1_700_000_000_001L))
                        .build();

        // Then each is refused, naming the signer it recovers to instead
        for (TrainingEvent forged : List.of(moreTokens, otherHash, otherAttempt, later)) {
            assertThat(TrainingEventSigning.verify(forged)).isFalse();
            assertThat(TrainingEventSigning.problem(forged))
                    .contains("not by the event's worker " + WORKER.address());
        }
    }

    @Test
    void shouldRejectAnEventSignedByAnotherKey() {
        // Given an impostor that signs an event claiming to be the worker
        NodeIdentity impostor = NodeIdentity.generate();
        TrainingEvent event = events.shardTrained(1, 0, MODEL, 2.5, 1000, Duration.ofMillis(900));
        TrainingEvent forged =
                TrainingEventSigning.sign(TrainingEvent.newBuilder(event).build(), impostor);
        forged.setWorker(WORKER.address());

        assertThat(TrainingEventSigning.problem(forged))
                .contains("signed by ")
                .contains(impostor.address());
    }

    @Test
    void shouldRejectMalformedAndHostileSignaturesWithAReason() {
        TrainingEvent event = events.failed(1, "x", null);
        for (String hostile :
                List.of(
                        "",
                        "0x",
                        "0xzz",
                        "0x" + "00".repeat(65),
                        "0x" + "ab".repeat(10_000),
                        "\u0000\n")) {
            TrainingEvent bad = TrainingEvent.newBuilder(event).setSignature(hostile).build();
            assertThat(TrainingEventSigning.problem(bad))
                    .as(
                            "signature '%s'",
                            hostile.length() > 20 ? hostile.substring(0, 20) : hostile)
                    .startsWith("malformed signature");
        }
    }

    @Test
    void shouldGiveDifferentDigestsWhenStringsShiftBetweenFields() {
        // Length prefixes keep "ab"+"c" and "a"+"bc" apart
        TrainingEvent one = events.failed(1, "ab", null);
        TrainingEvent other = TrainingEvent.newBuilder(one).build();
        other.setJobId(JOB + "a");
        assertThat(TrainingEventSigning.digest(one))
                .isNotEqualTo(TrainingEventSigning.digest(other));
        assertThat(TrainingEventSigning.digest(one)).hasSize(32);
    }

    @Test
    void shouldClipAnOversizedFailureReason() {
        TrainingEvent event = events.failed(1, "x".repeat(100_000), null);
        String reason =
                ((io.emeth.schemas.avro.training.TrainingFailed) event.getPayload()).getReason();
        assertThat(reason).hasSize(TrainingEvents.MAX_REASON_CHARS + 1).endsWith("…");
        assertThat(TrainingEventSigning.verify(event)).isTrue();
    }
}
