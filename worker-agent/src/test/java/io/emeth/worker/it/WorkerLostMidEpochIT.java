package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.config.WorkerTimeouts;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerLeft;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import io.emeth.worker.WorkerAgent;
import io.emeth.worker.events.TrainingEventSigning;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three workers train one epoch; the third stops mid-epoch (its process goes silent). Its
 * heartbeats stop, the aggregator closes the round after {@code timeout.checkpoint} with the two
 * shards that came and reports the missing one.
 */
class WorkerLostMidEpochIT {
    private static final long CHECKPOINT_MS = 10_000;
    private static final WorkerTimeouts TIMEOUTS =
            new WorkerTimeouts(
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(120),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60));

    private WorkerStack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldReportTheSilentWorkerAndFinishTheRoundWithTheOthers() throws Exception {
        // Given three workers assigned a one-epoch job with a 10 s checkpoint timeout
        stack = new WorkerStack("WorkerLostMidEpochIT");
        String jobId = TestJobs.newJobId();
        byte[] dataset = TestJobs.corpus(45_000, 11);
        stack.seedDataset("corpus.txt", jobId, dataset);
        NodeIdentity a = NodeIdentity.generate();
        NodeIdentity b = NodeIdentity.generate();
        NodeIdentity c = NodeIdentity.generate();
        stack.startWorker("a", a, TIMEOUTS);
        stack.startWorker("b", b, TIMEOUTS);
        WorkerAgent victim = stack.startWorker("c", c, TIMEOUTS);
        List<String> workers = List.of(a.address(), b.address(), c.address());
        EventRecorder events = stack.recorder;
        Awaitility.await("all registered")
                .atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                workers.stream()
                                        .allMatch(
                                                w ->
                                                        !events.worker(WorkerRegistered.class, w)
                                                                .isEmpty()));
        for (int rank = 0; rank < 3; rank++) {
            stack.assign(
                    TestJobs.assigned(
                            jobId,
                            workers,
                            rank,
                            "corpus.txt",
                            dataset.length,
                            1,
                            CHECKPOINT_MS,
                            TestJobs.average()));
        }
        for (String w : workers) {
            stack.assign(TestJobs.round(jobId, w, 1, null, "", workers));
        }

        // When the third worker stops while it is learning epoch 1
        Awaitility.await("the third worker learning")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () ->
                                victim.status().phase() == WorkerPhase.LEARNING
                                        && victim.status().progress() > 0);
        victim.close();
        long stoppedAt = System.currentTimeMillis();

        // Then the aggregator closes the round with the two shards that came, reporting the third
        Awaitility.await("round 1 aggregated")
                .atMost(Duration.ofSeconds(60))
                .until(() -> !events.training(RoundAggregated.class, e -> true).isEmpty());
        RoundAggregated round =
                (RoundAggregated)
                        events.training(RoundAggregated.class, e -> true)
                                .get(0)
                                .value()
                                .getPayload();
        assertThat(round.getContributors()).containsExactlyInAnyOrder(a.address(), b.address());
        assertThat(round.getRejectedShards())
                .extracting(RejectedShard::getWorker)
                .containsExactly(c.address());
        assertThat(round.getRejectedShards().get(0).getReason())
                .contains("timeout.checkpoint (10000 ms)");
        assertThat(round.getValidationLoss()).isFinite();
        Awaitility.await("the result")
                .atMost(Duration.ofSeconds(30))
                .until(() -> !events.training(ResultUploaded.class, e -> true).isEmpty());

        // And the third worker published no shard, left no WorkerLeft, and its heartbeats stopped
        assertThat(events.training(ShardTrained.class, e -> e.getWorker().equals(c.address())))
                .isEmpty();
        assertThat(events.worker(WorkerLeft.class, c.address())).isEmpty();
        assertThat(events.worker(WorkerHeartbeat.class, c.address()))
                .isNotEmpty()
                .allMatch(r -> r.value().getAt().toEpochMilli() <= stoppedAt);
        WorkerHeartbeat last =
                (WorkerHeartbeat)
                        events.worker(WorkerHeartbeat.class, c.address())
                                .get(events.worker(WorkerHeartbeat.class, c.address()).size() - 1)
                                .value()
                                .getPayload();
        assertThat(last.getPhase()).isEqualTo(WorkerPhase.LEARNING);

        // While the other two kept heartbeating after it, and nothing failed
        for (String w : List.of(a.address(), b.address())) {
            assertThat(events.worker(WorkerHeartbeat.class, w))
                    .anyMatch(r -> r.value().getAt().toEpochMilli() > stoppedAt);
        }
        assertThat(events.training(TrainingFailed.class, e -> true)).isEmpty();
        assertThat(events.trainingEvents).allMatch(r -> TrainingEventSigning.verify(r.value()));
    }
}
