package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.Signatures;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Liveness when the master falls behind {@code worker-events}: heartbeats are judged by when they
 * reached Kafka (their record timestamps), not by when the master processes them. The master here
 * processes one second of the workers' events per 8 s of its own clock (heartbeat timeout 30 s,
 * heartbeats every 5 s), so each worker's heartbeats reach it 40 s of wall clock apart. While it
 * lags (a fact processed more than 10 s after it reached Kafka) nobody is declared LOST.
 */
class LivenessUnderLagTopologyTest {
    private static final int WORKERS = 5;

    private final MasterDriver master = new MasterDriver(TestConfigs.config("nvm"));
    private final List<String> workers = new ArrayList<>();

    @AfterEach
    void close() {
        master.close();
    }

    @Test
    void shouldNotLoseHeartbeatingWorkersBecauseTheMasterLags() {
        // Given five workers registered at T0
        registerWorkers();

        // When the master processes their heartbeats (every 5 s each) eight times slower than real
        // time, ending 420 s behind
        lagThrough(60, -1);

        // Then no worker is LOST: each spoke at most 5 s before the newest heartbeat processed
        for (String w : workers) {
            assertThat(master.worker(w).getState()).as(w).isEqualTo(WorkerState.IDLE);
        }
    }

    @Test
    void shouldLoseAWorkerThatFellSilentWhileTheMasterLaggedOnceItCatchesUp() {
        // Given five workers registered at T0
        registerWorkers();

        // When the first stops heartbeating after 10 s of its time while the master lags
        lagThrough(60, 10);

        // Then nobody is lost while the master lags (its silence may be the master's)
        assertThat(master.worker(workers.get(0)).getState()).isEqualTo(WorkerState.IDLE);

        // When the master has caught up: the others' heartbeats come in as they are sent
        for (int s = 0; s < 35; s += 5) {
            for (String w : workers.subList(1, WORKERS)) {
                master.idle(w);
            }
            master.advance(Duration.ofSeconds(5));
        }

        // Then the silent one alone is LOST
        assertThat(master.worker(workers.get(0)).getState()).isEqualTo(WorkerState.LOST);
        for (String w : workers.subList(1, WORKERS)) {
            assertThat(master.worker(w).getState()).as(w).isEqualTo(WorkerState.IDLE);
        }
    }

    @Test
    void shouldLoseSilentWorkersByTheWallClockWhenNoFactComes() {
        // Given five workers registered at T0 that all go silent
        registerWorkers();

        // When 30 s pass and then 31 s with nothing on worker-events
        master.advance(Duration.ofSeconds(30));
        assertThat(master.worker(workers.get(0)).getState()).isEqualTo(WorkerState.IDLE);
        master.advance(Duration.ofSeconds(1));

        // Then all are LOST
        for (String w : workers) {
            assertThat(master.worker(w).getState()).as(w).isEqualTo(WorkerState.LOST);
        }
    }

    @Test
    void shouldNotTakeTheBrokersClockSkewForLag() {
        // Given the broker's clock 20 s behind the master's: every fact arrives stamped 20 s back
        Duration skew = Duration.ofSeconds(20);
        for (int i = 0; i < WORKERS; i++) {
            var identity = TestConfigs.worker(i + 1);
            workers.add(identity.address());
            long signedAt = master.now().toEpochMilli();
            master.workerEvent(
                    identity.address(),
                    WorkerRegistered.newBuilder()
                            .setPowerCapacity(10)
                            .setDevice("cpu")
                            .setUrl("http://w" + i + ":3000")
                            .setSignedAt(Instant.ofEpochMilli(signedAt))
                            .setSignature(Signatures.signTimestamp(identity, signedAt))
                            .setModels(List.of())
                            .build(),
                    master.now().minus(skew));
        }

        // When the first falls silent and the others heartbeat every 5 s for 60 s
        for (int s = 0; s < 60; s += 5) {
            for (String w : workers.subList(1, WORKERS)) {
                master.workerEvent(
                        w,
                        WorkerHeartbeat.newBuilder()
                                .setPhase(WorkerPhase.NONE)
                                .setProgress(0)
                                .build(),
                        master.now().minus(skew));
            }
            master.advance(Duration.ofSeconds(5));
        }

        // Then the master does not think itself lagging: the silent one is LOST, the others not
        assertThat(master.worker(workers.get(0)).getState()).isEqualTo(WorkerState.LOST);
        for (String w : workers.subList(1, WORKERS)) {
            assertThat(master.worker(w).getState()).as(w).isEqualTo(WorkerState.IDLE);
        }
    }

    private void registerWorkers() {
        for (int i = 0; i < WORKERS; i++) {
            var identity = TestConfigs.worker(i + 1);
            workers.add(identity.address());
            master.register(identity, 10);
        }
    }

    /**
     * Event seconds 1..{@code seconds}: the wall clock moves 8 s, then the master processes the
     * heartbeat that reached Kafka in that second (worker {@code s % 5}); worker 0 is silent after
     * {@code silentAfter} (never when negative).
     */
    private void lagThrough(int seconds, int silentAfter) {
        Instant t0 = MasterDriver.T0;
        for (int s = 1; s <= seconds; s++) {
            master.advance(Duration.ofSeconds(8));
            int i = s % WORKERS;
            if (i == 0 && silentAfter >= 0 && s > silentAfter) {
                continue;
            }
            master.workerEvent(
                    workers.get(i),
                    WorkerHeartbeat.newBuilder().setPhase(WorkerPhase.NONE).setProgress(0).build(),
                    t0.plusSeconds(s));
        }
    }
}
