package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerLeft;
import io.emeth.worker.WorkerAgent;
import io.emeth.worker.events.TrainingEventSigning;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Three workers train one epoch; the third stops mid-epoch (its process goes silent). Its
 * heartbeats stop, the aggregator closes the round after {@code timeout.checkpoint} with the two
 * shards that came and reports the missing one.
 */
class WorkerLostMidEpochIT {
    private static final long CHECKPOINT_MS = 10_000;

    @AutoClose private WorkerStack stack;

    @Test
    void shouldReportTheSilentWorkerAndFinishTheRoundWithTheOthers() throws Exception {
        // Given three workers assigned a one-epoch job with a 10 s checkpoint timeout
        stack = new WorkerStack("WorkerLostMidEpochIT");
        String jobId = TestJobs.newJobId();
        byte[] dataset = stack.seedCorpus(jobId, 45_000, 11);
        StartedWorkers started = stack.startWorkers("a", "b", "c");
        WorkerAgent victim = started.agent(2);
        List<String> workers = started.addresses();
        String a = workers.get(0);
        String b = workers.get(1);
        String c = workers.get(2);
        EventRecorder events = stack.recorder;
        stack.assignAll(
                TestJobs.job(jobId, workers, dataset.length, 1, CHECKPOINT_MS, TestJobs.average()));
        stack.assignAll(TestJobs.rounds(jobId, workers, 1, null, ""));

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
                .until(() -> events.anyTraining(RoundAggregated.class));
        RoundAggregated round = events.firstTraining(RoundAggregated.class);
        assertThat(round.getContributors()).containsExactlyInAnyOrder(a, b);
        assertThat(round.getRejectedShards())
                .extracting(RejectedShard::getWorker)
                .containsExactly(c);
        assertThat(round.getRejectedShards().get(0).getReason())
                .contains("timeout.checkpoint (10000 ms)");
        assertThat(round.getValidationLoss()).isFinite();
        Awaitility.await("the result")
                .atMost(Duration.ofSeconds(30))
                .until(() -> events.anyTraining(ResultUploaded.class));

        // And the third worker published no shard, left no WorkerLeft, and its heartbeats stopped
        assertThat(events.training(ShardTrained.class, e -> e.getWorker().equals(c))).isEmpty();
        assertThat(events.worker(WorkerLeft.class, c)).isEmpty();
        assertThat(events.worker(WorkerHeartbeat.class, c))
                .isNotEmpty()
                .allMatch(r -> r.value().getAt().toEpochMilli() <= stoppedAt);
        WorkerHeartbeat last =
                (WorkerHeartbeat)
                        events.worker(WorkerHeartbeat.class, c)
                                .get(events.worker(WorkerHeartbeat.class, c).size() - 1)
                                .value()
                                .getPayload();
        assertThat(last.getPhase()).isEqualTo(WorkerPhase.LEARNING);

        // While the other two kept heartbeating after it, and nothing failed
        for (String w : List.of(a, b)) {
            assertThat(events.worker(WorkerHeartbeat.class, w))
                    .anyMatch(r -> r.value().getAt().toEpochMilli() > stoppedAt);
        }
        assertThat(events.training(TrainingFailed.class, e -> true)).isEmpty();
        assertThat(events.trainingEvents).allMatch(r -> TrainingEventSigning.verify(r.value()));
    }
}
