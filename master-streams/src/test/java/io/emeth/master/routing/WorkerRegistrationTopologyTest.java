package io.emeth.master.routing;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Worker registration through the topology: a forged, stale or malformed registration is refused
 * with a REJECTED view naming why, and never lets the worker into matching; a forged one for a
 * registered address does not unseat the real worker.
 */
class WorkerRegistrationTopologyTest {
    private final MasterDriver master = new MasterDriver(TestConfigs.config("nvm"));
    private final NodeIdentity worker = TestConfigs.worker(1);
    private final NodeIdentity attacker = TestConfigs.worker(66);

    @AfterEach
    void close() {
        master.close();
    }

    @Test
    void shouldRejectAForgedRegistrationWithAnErrorView() {
        // When a registration for worker is signed by another key
        long now = master.now().toEpochMilli();
        master.register(worker.address(), 100, now, Signatures.signTimestamp(attacker, now), null);

        // Then the worker-status says REJECTED, naming the forgery, and it gets no job
        WorkerView view = master.worker(worker.address());
        assertThat(view.getState()).isEqualTo(WorkerState.REJECTED);
        assertThat(view.getLastError()).contains("forged").contains(attacker.address());
        String job = master.request(emt(20), 4_096, Duration.ofDays(2), "{}");
        assertThat(master.job(job).getState()).isEqualTo(JobState.REQUESTED);
    }

    @Test
    void shouldRejectAStaleRegistration() {
        // When the signed timestamp is 60.001 s old
        long signedAt = master.now().toEpochMilli() - 60_001;
        master.register(
                worker.address(), 100, signedAt, Signatures.signTimestamp(worker, signedAt), null);

        // Then it is REJECTED as stale
        assertThat(master.worker(worker.address()).getState()).isEqualTo(WorkerState.REJECTED);
        assertThat(master.worker(worker.address()).getLastError()).contains("stale");
    }

    @Test
    void shouldAcceptARegistrationThatWaitedInTheTopicLongerThan60Seconds() {
        // Given a registration signed and written to Kafka at T
        Instant arrived = master.now();
        long signedAt = arrived.toEpochMilli();

        // When the master gets to it 5 minutes later (a failover's lag)
        master.advance(Duration.ofMinutes(5));
        master.workerEvent(
                worker.address(),
                WorkerRegistered.newBuilder()
                        .setPowerCapacity(100)
                        .setDevice("cpu")
                        .setUrl("http://worker:3000")
                        .setSignedAt(Instant.ofEpochMilli(signedAt))
                        .setSignature(Signatures.signTimestamp(worker, signedAt))
                        .build(),
                arrived);

        // Then its age is judged at its arrival: the worker joins
        assertThat(master.worker(worker.address()).getState()).isEqualTo(WorkerState.IDLE);
    }

    @Test
    void shouldAcceptARegistrationSignedExactly60SecondsAgo() {
        long signedAt = master.now().toEpochMilli() - 60_000;
        master.register(
                worker.address(), 100, signedAt, Signatures.signTimestamp(worker, signedAt), null);
        assertThat(master.worker(worker.address()).getState()).isEqualTo(WorkerState.IDLE);
    }

    @Test
    void shouldKeepTheRealWorkerWhenAForgedRegistrationUsesItsAddress() {
        // Given the real worker registered
        master.register(worker, 100);

        // When a forged registration claims its address with a bigger capacity
        long now = master.now().toEpochMilli();
        master.register(
                worker.address(), 9_999, now, Signatures.signTimestamp(attacker, now), null);

        // Then it stays IDLE with its own capacity, the refusal noted
        WorkerView view = master.worker(worker.address());
        assertThat(view.getState()).isEqualTo(WorkerState.IDLE);
        assertThat(view.getPowerCapacity()).isEqualTo(100);
        assertThat(view.getLastError()).contains("forged");
    }

    @Test
    void shouldRejectMalformedAndHostileRegistrationsNamingTheField() {
        long now = master.now().toEpochMilli();
        String good = Signatures.signTimestamp(worker, now);
        NodeIdentity w2 = TestConfigs.worker(2);
        NodeIdentity w3 = TestConfigs.worker(3);
        NodeIdentity w4 = TestConfigs.worker(4);

        master.register(worker.address(), 100, now, "0xnot-hex", null);
        master.register(w2.address(), 0, now, Signatures.signTimestamp(w2, now), null);
        master.register(w3.address(), 100, now, Signatures.signTimestamp(w3, now), 5L);
        master.workerEvent(
                w4.address(),
                WorkerRegistered.newBuilder()
                        .setPowerCapacity(100)
                        .setDevice("cpu")
                        .setUrl("http://x/" + "a".repeat(1_000_000))
                        .setSignedAt(master.now())
                        .setSignature(Signatures.signTimestamp(w4, now))
                        .build());

        assertThat(master.worker(worker.address()).getLastError()).contains("malformed signature");
        assertThat(master.worker(w2.address()).getLastError()).contains("powerCapacity");
        assertThat(master.worker(w3.address()).getLastError()).contains("heartbeatIntervalMs");
        assertThat(master.worker(w4.address()).getLastError()).contains("url must be at most");
        assertThat(master.worker(w4.address()).getUrl().length()).isLessThan(300);
        assertThat(good).isNotBlank();
    }

    @Test
    void shouldIgnoreEventsWithABadAddressOrOfAnotherPool() {
        // When events arrive with a key that is not the worker, a garbage address, another pool
        long now = master.now().toEpochMilli();
        WorkerRegistered reg =
                WorkerRegistered.newBuilder()
                        .setPowerCapacity(100)
                        .setDevice("cpu")
                        .setUrl("http://w")
                        .setSignedAt(master.now())
                        .setSignature(Signatures.signTimestamp(worker, now))
                        .build();
        master.rawWorkerEvent(attacker.address(), event(worker.address(), master.pool(), reg));
        master.rawWorkerEvent("junk", event("junk", master.pool(), reg));
        master.rawWorkerEvent(
                worker.address(),
                event(worker.address(), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", reg));

        // Then nothing is registered and nothing is published
        assertThat(master.workerViews()).isEmpty();
    }

    @Test
    void shouldRejectAWorkerMissingFromAnAddressWhitelist() {
        master.close();
        try (MasterDriver listed =
                new MasterDriver(
                        TestConfigs.config(
                                "nvm", "\"worker_whitelist\": [\"" + worker.address() + "\"]"))) {
            listed.register(worker, 100);
            listed.register(attacker, 100);
            assertThat(listed.worker(worker.address()).getState()).isEqualTo(WorkerState.IDLE);
            assertThat(listed.worker(attacker.address()).getLastError())
                    .contains("worker_whitelist");
        }
    }

    private WorkerEvent event(String worker, String pool, Object payload) {
        return WorkerEvent.newBuilder()
                .setWorker(worker)
                .setPool(pool)
                .setAt(master.now())
                .setPayload(payload)
                .build();
    }
}
