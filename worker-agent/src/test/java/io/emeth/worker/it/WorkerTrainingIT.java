package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.common.storage.StorageClient;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import io.emeth.worker.assignments.AssignmentReader;
import io.emeth.worker.assignments.KeyPartition;
import io.emeth.worker.events.TrainingEventSigning;
import io.emeth.worker.hashchain.HashChain;
import io.emeth.worker.it.EventRecorder.Recorded;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Two workers on the real broker, registry and storage dev server train a tiny model for two epochs
 * from assignments the test writes as the master would; the rank-0 worker aggregates.
 */
class WorkerTrainingIT {
    @AutoClose private WorkerStack stack;

    @Test
    void shouldTrainTwoEpochsWithTwoWorkersAndPublishSignedEventsOnTheirTopics() throws Exception {
        // Given a data set, the stack, and two workers configured with the original keys only
        stack = new WorkerStack("WorkerTrainingIT");
        String jobId = TestJobs.newJobId();
        byte[] dataset = stack.seedCorpus(jobId, 16_000, 7);
        StartedWorkers started = stack.startWorkers("a", "b");
        List<String> workers = started.addresses();
        EventRecorder events = stack.recorder;

        // When the master assigns the job and opens round 1 from the seeded initial weights
        Map<String, RecordMetadata> assignedAt =
                stack.assignAll(
                        TestJobs.job(
                                jobId, workers, dataset.length, 2, 60_000, TestJobs.average()));
        stack.assignAll(TestJobs.rounds(jobId, workers, 1, null, ""));
        RoundAggregated first = awaitRound(events, jobId, 1);

        // And opens round 2 from round 1's global model
        stack.assignAll(
                TestJobs.rounds(
                        jobId, workers, 2, first.getGlobalModel(), first.getHashChainLink()));
        RoundAggregated second = awaitRound(events, jobId, 2);
        Awaitility.await("the result")
                .atMost(Duration.ofSeconds(60))
                .until(() -> events.anyTraining(ResultUploaded.class));
        ResultUploaded result = events.firstTraining(ResultUploaded.class);

        // Then the final model's validation loss is below the first round's
        assertThat(second.getValidationLoss()).isLessThan(first.getValidationLoss());
        assertThat(first.getContributors()).containsExactlyInAnyOrderElementsOf(workers);
        assertThat(second.getRejectedShards()).isEmpty();

        // And every training event is on training-events, keyed by the job, validly signed by its
        // worker
        assertThat(events.trainingEvents).isNotEmpty();
        for (Recorded<TrainingEvent> r : events.trainingEvents) {
            assertThat(r.key()).isEqualTo(jobId);
            assertThat(TrainingEventSigning.problem(r.value()))
                    .as("signature of %s", r.value())
                    .isNull();
        }
        assertThat(events.training(TrainingFailed.class, e -> true)).isEmpty();
        for (String w : workers) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                assertThat(events.shardsTrained(w, epoch))
                        .as("ShardTrained of %s epoch %d", w, epoch)
                        .hasSize(1);
            }
        }
        assertThat(events.training(RoundAggregated.class, e -> true))
                .allMatch(r -> r.value().getWorker().equals(started.identity(0).address()));

        // And the hash chain links the data set, the job, both global models and the shards in
        // them (the contributors' ShardTrained, in rank order)
        byte[] h0 = HashChain.genesis(HashChain.sha256(dataset), jobId);
        byte[] h1 = link(h0, first, events);
        byte[] h2 = link(h1, second, events);
        assertThat(first.getHashChainLink()).isEqualTo(HexFormat.of().formatHex(h1));
        assertThat(second.getHashChainLink()).isEqualTo(HexFormat.of().formatHex(h2));
        assertThat(result.getHashChain()).isEqualTo(second.getHashChainLink());
        assertThat(result.getModel()).isEqualTo(second.getGlobalModel());

        // And the uploaded result holds the final model and the chain
        Map<String, byte[]> bundle = downloadZip(jobId, result.getResultFileName());
        assertThat(HexFormat.of().formatHex(HashChain.sha256(bundle.get("model.emwt"))))
                .isEqualTo(second.getGlobalModel().getSha256());
        assertThat(new String(bundle.get("hashchain.json"), StandardCharsets.UTF_8))
                .contains(HexFormat.of().formatHex(h0))
                .contains(second.getHashChainLink());

        // And each worker registered with a valid signature and heartbeated its phases for the job
        for (String w : workers) {
            Recorded<io.emeth.schemas.avro.worker.WorkerEvent> reg =
                    events.worker(WorkerRegistered.class, w).get(0);
            WorkerRegistered registered = (WorkerRegistered) reg.value().getPayload();
            assertThat(reg.key()).isEqualTo(w);
            assertThat(reg.value().getPool()).isEqualTo(WorkerStack.POOL);
            assertThat(
                            Signatures.verifyTimestamp(
                                    registered.getSignedAt().toEpochMilli(),
                                    registered.getSignature(),
                                    w))
                    .isTrue();
            assertThat(registered.getPowerCapacity()).isEqualTo(100);
            List<WorkerPhase> phases =
                    events.worker(WorkerHeartbeat.class, w).stream()
                            .map(r -> (WorkerHeartbeat) r.value().getPayload())
                            .filter(h -> jobId.equals(h.getJobId()))
                            .map(WorkerHeartbeat::getPhase)
                            .toList();
            assertThat(phases)
                    .contains(WorkerPhase.WAIT_DATA, WorkerPhase.LEARNING, WorkerPhase.CHECKPOINT);
        }
        Awaitility.await("both workers report COMPLETED")
                .atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                started.agent(0).status().phase() == WorkerPhase.COMPLETED
                                        && started.agent(1).status().phase()
                                                == WorkerPhase.COMPLETED);

        // And each worker read (and committed) only the assignment partition its address maps to
        try (Admin admin = Admin.create(stack.kafka.clientProperties())) {
            for (String w : workers) {
                int partition = KeyPartition.of(w, stack.partitions());
                assertThat(assignedAt.get(w).partition()).isEqualTo(partition);
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(AssignmentReader.groupId(stack.prefix, w))
                                .partitionsToOffsetAndMetadata()
                                .get(30, TimeUnit.SECONDS);
                assertThat(committed.keySet())
                        .containsExactly(
                                new TopicPartition(
                                        stack.topics.workerAssignments().name(), partition));
            }
        }
    }

    private static RoundAggregated awaitRound(EventRecorder events, String jobId, int epoch) {
        Awaitility.await("round " + epoch + " aggregated")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .failFast(() -> !events.training(TrainingFailed.class, e -> true).isEmpty())
                .until(
                        () ->
                                !events.training(
                                                RoundAggregated.class,
                                                e ->
                                                        e.getJobId().equals(jobId)
                                                                && ((RoundAggregated)
                                                                                        e
                                                                                                .getPayload())
                                                                                .getEpoch()
                                                                        == epoch)
                                        .isEmpty());
        return events.roundAggregated(epoch);
    }

    private Map<String, byte[]> downloadZip(String jobId, String fileName) throws Exception {
        Path file = stack.dir.resolve("result.zip");
        StorageClient.builder(java.net.URI.create(stack.storage.url()), NodeIdentity.generate())
                .build()
                .download(jobId, fileName, file);
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip =
                new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        }
        return entries;
    }

    /** h_e of {@code round}, recomputed from the shards its contributors published. */
    private static byte[] link(byte[] previous, RoundAggregated round, EventRecorder events) {
        List<byte[]> shards = new ArrayList<>();
        for (String worker : round.getContributors()) {
            ShardTrained shard =
                    (ShardTrained)
                            events.shardsTrained(worker, round.getEpoch())
                                    .get(0)
                                    .value()
                                    .getPayload();
            shards.add(HexFormat.of().parseHex(shard.getModel().getSha256()));
        }
        assertThat(round.getAcceptedShards())
                .containsExactlyElementsOf(shards.stream().map(HexFormat.of()::formatHex).toList());
        return HashChain.roundLink(
                previous,
                round.getEpoch(),
                HexFormat.of().parseHex(round.getGlobalModel().getSha256()),
                shards,
                null);
    }
}
