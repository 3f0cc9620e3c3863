package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.worker.WorkerAgent;
import io.emeth.worker.events.TrainingEventSigning;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The aggregator of a two-epoch DiLoCo job is stopped while it learns epoch 2 and started again
 * with the same key and data directory: it resumes from round 1's global model (not from scratch
 * and without training epoch 1 again), picks up the other worker's shard published while it was
 * away, and finishes the job.
 */
class WorkerRestartIT {
    @AutoClose private WorkerStack stack;

    @Test
    void shouldResumeTheJobFromTheLastGlobalModelAfterARestart() throws Exception {
        // Given two workers on a two-epoch job, round 1 aggregated and round 2 opened
        stack = new WorkerStack("WorkerRestartIT");
        String jobId = TestJobs.newJobId();
        byte[] dataset = stack.seedCorpus(jobId, 40_000, 13);
        StartedWorkers started = stack.startWorkers("a", "b");
        WorkerAgent aggregator = started.agent(0);
        List<String> workers = started.addresses();
        EventRecorder events = stack.recorder;
        stack.assignAll(TestJobs.job(jobId, workers, dataset.length, 2, 60_000, TestJobs.diloco()));
        stack.assignAll(TestJobs.rounds(jobId, workers, 1, null, ""));
        Awaitility.await("round 1")
                .atMost(Duration.ofSeconds(90))
                .failFast(() -> events.anyTraining(TrainingFailed.class))
                .until(() -> events.anyTraining(RoundAggregated.class));
        RoundAggregated first = events.firstTraining(RoundAggregated.class);
        stack.assignAll(
                TestJobs.rounds(
                        jobId, workers, 2, first.getGlobalModel(), first.getHashChainLink()));

        // When the aggregator stops while it learns epoch 2, and starts again a moment later
        Awaitility.await("the aggregator learning epoch 2")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () ->
                                aggregator.status().phase() == WorkerPhase.LEARNING
                                        && Integer.valueOf(2).equals(aggregator.status().epoch()));
        aggregator.close();
        WorkerAgent restarted = stack.startWorker("a", started.identity(0));

        // Then the job finishes: round 2 aggregated and the result uploaded
        Awaitility.await("the result")
                .atMost(Duration.ofSeconds(90))
                .failFast(() -> events.anyTraining(TrainingFailed.class))
                .until(() -> events.anyTraining(ResultUploaded.class));
        Awaitility.await("the restarted aggregator COMPLETED")
                .atMost(Duration.ofSeconds(10))
                .until(() -> restarted.status().phase() == WorkerPhase.COMPLETED);

        // And no epoch was trained or aggregated twice, every event validly signed
        for (String w : workers) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                assertThat(events.shardsTrained(w, epoch))
                        .as("ShardTrained of %s epoch %d", w, epoch)
                        .hasSize(1);
            }
        }
        assertThat(events.training(RoundAggregated.class, e -> true)).hasSize(2);
        assertThat(events.training(ResultUploaded.class, e -> true)).hasSize(1);
        assertThat(events.trainingEvents).allMatch(r -> TrainingEventSigning.verify(r.value()));
        RoundAggregated second = events.roundAggregated(2);
        assertThat(second.getContributors()).containsExactlyInAnyOrderElementsOf(workers);

        // And the restarted aggregator trained epoch 2 from round 1's global model
        Path state =
                stack.dir
                        .resolve("a")
                        .resolve("data")
                        .resolve("jobs")
                        .resolve(jobId.toLowerCase(Locale.ROOT))
                        .resolve("attempt-1")
                        .resolve("state.json");
        JsonNode trained = new ObjectMapper().readTree(state.toFile()).get("trained");
        assertThat(trained.get("2").asText()).isEqualTo(first.getGlobalModel().getSha256());
        assertThat(trained.get("1").asText()).isNotEqualTo(first.getGlobalModel().getSha256());
    }
}
