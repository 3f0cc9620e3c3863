package io.emeth.worker.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerLeft;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerEventsTest {

    private static final NodeIdentity WORKER = NodeIdentity.generate();
    private static final String POOL = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private final WorkerEvents events =
            new WorkerEvents(
                    WORKER,
                    POOL,
                    Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC));

    @Test
    void shouldSignTheRegistrationOverItsTimestampAsTheMasterChecksIt() {
        WorkerEvent event =
                events.registered(
                        250,
                        "cuda:1",
                        "http://10.0.0.2:8080",
                        List.of("gpt2-medium", "japanese-gpt2-medium"),
                        Duration.ofSeconds(5));
        WorkerRegistered registered = (WorkerRegistered) event.getPayload();

        assertThat(event.getWorker()).isEqualTo(WORKER.address());
        assertThat(event.getPool()).isEqualTo(POOL);
        assertThat(registered.getSignedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(
                        Signatures.verifyTimestamp(
                                1_700_000_000_000L, registered.getSignature(), WORKER.address()))
                .isTrue();
        assertThat(
                        Signatures.verifyTimestamp(
                                1_700_000_000_001L, registered.getSignature(), WORKER.address()))
                .isFalse();
        assertThat(registered.getPowerCapacity()).isEqualTo(250);
        assertThat(registered.getDevice()).isEqualTo("cuda:1");
        assertThat(registered.getHeartbeatIntervalMs()).isEqualTo(5000L);
        assertThat(registered.getModels()).containsExactly("gpt2-medium", "japanese-gpt2-medium");
    }

    @Test
    void shouldReportTheStatusAndClampProgress() {
        WorkerHeartbeat beat =
                (WorkerHeartbeat)
                        events.heartbeat(
                                        new WorkerEvents.StatusSnapshot(
                                                WorkerPhase.LEARNING, "0xjob", 2, 3, 1.7))
                                .getPayload();
        assertThat(beat.getPhase()).isEqualTo(WorkerPhase.LEARNING);
        assertThat(beat.getJobId()).isEqualTo("0xjob");
        assertThat(beat.getAttempt()).isEqualTo(2);
        assertThat(beat.getEpoch()).isEqualTo(3);
        assertThat(beat.getProgress()).isEqualTo(1.0);

        WorkerHeartbeat idle =
                (WorkerHeartbeat)
                        events.heartbeat(
                                        new WorkerEvents.StatusSnapshot(
                                                WorkerPhase.NONE, null, null, null, Double.NaN))
                                .getPayload();
        assertThat(idle.getProgress()).isZero();
        assertThat(idle.getJobId()).isNull();

        assertThat(((WorkerLeft) events.left("bye").getPayload()).getReason()).isEqualTo("bye");
    }
}
