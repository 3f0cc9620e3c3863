package io.emeth.master.routing;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats gathered by the worker-events router ({@code heartbeat_batch_ms} 100): they reach the
 * pool as one inbox record per batch, are applied when the batch goes out, keep workers alive, and
 * never overtake the worker's other facts.
 */
class HeartbeatBatchTopologyTest {
    private final MasterDriver master =
            new MasterDriver(TestConfigs.config("nvm", "\"heartbeat_batch_ms\": 100"));
    private final NodeIdentity w1 = TestConfigs.worker(1);
    private final NodeIdentity w2 = TestConfigs.worker(2);

    @AfterEach
    void close() {
        master.close();
    }

    @Test
    void shouldSendTheHeartbeatsOfOneBatchAsOneInboxRecord() {
        // Given two registered workers (a registration goes to the pool at once)
        master.register(w1, 100);
        master.register(w2, 100);
        assertThat(master.worker(w2.address()).getState()).isEqualTo(WorkerState.IDLE);
        int before = master.poolInboxRecords();

        // When they heartbeat ten times between two batches
        for (int i = 0; i < 5; i++) {
            master.idle(w1.address());
            master.idle(w2.address());
        }
        assertThat(master.poolInboxRecords()).isEqualTo(before);
        master.advance(Duration.ofMillis(100));

        // Then the pool got one record
        assertThat(master.poolInboxRecords()).isEqualTo(before + 1);
    }

    @Test
    void shouldApplyABatchedHeartbeatWhenTheBatchGoesOut() {
        // Given a worker reserved for a job
        master.register(w1, 100);
        String job = master.request(emt(20), 4_096, Duration.ofDays(2), "{}");
        assertThat(master.worker(w1.address()).getState()).isEqualTo(WorkerState.RESERVED);

        // When it reports LEARNING for the job
        master.heartbeat(w1.address(), WorkerPhase.LEARNING, job, 1, 1, 0.1);

        // Then it is TRAINING once the batch went out, not before
        assertThat(master.worker(w1.address()).getState()).isEqualTo(WorkerState.RESERVED);
        master.advance(Duration.ofMillis(100));
        assertThat(master.worker(w1.address()).getState()).isEqualTo(WorkerState.TRAINING);
    }

    @Test
    void shouldKeepAWorkerThatHeartbeatsAliveAndLoseOneThatStops() {
        // Given two workers (timeout 30 s), w1 heartbeating every 5 s, w2 silent
        master.register(w1, 100);
        master.register(w2, 100);

        // When 60 s pass
        for (int i = 0; i < 12; i++) {
            master.advance(Duration.ofMillis(4_900));
            master.idle(w1.address());
            master.advance(Duration.ofMillis(100));
        }

        // Then w1 is still IDLE and w2 LOST
        assertThat(master.worker(w1.address()).getState()).isEqualTo(WorkerState.IDLE);
        assertThat(master.worker(w2.address()).getState()).isEqualTo(WorkerState.LOST);
    }

    @Test
    void shouldNeverLetAGatheredHeartbeatOvertakeTheWorkersLaterFacts() {
        // Given a registered worker
        master.register(w1, 100);

        // When it heartbeats and leaves before the batch goes out
        master.idle(w1.address());
        master.left(w1.address());
        master.advance(Duration.ofMillis(100));

        // Then the pool saw the heartbeat first: the worker LEFT, no late heartbeat noted on it
        WorkerView view = master.worker(w1.address());
        assertThat(view.getState()).isEqualTo(WorkerState.LEFT);
        assertThat(view.getLastError()).doesNotContain("heartbeat ignored");
    }
}
