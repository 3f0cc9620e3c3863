package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.worker.events.TrainingEventSigning;
import io.emeth.worker.events.TrainingEvents;
import io.emeth.worker.training.GptConfig;
import io.emeth.worker.training.GptModel;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.WeightsCodec;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Corrupt and forged shards reaching a real aggregator: a shard holding NaN, one whose bytes do not
 * match its sha256, and an impostor's event in another worker's name. The round is averaged from
 * the good shard alone and names the two it rejected; the forged event is ignored.
 */
class WorkerBadShardsIT {
    @AutoClose private WorkerStack stack;

    @Test
    void shouldRejectNaNAndWrongHashShardsAndIgnoreForgedEvents() throws Exception {
        // Given a real aggregator and two fake workers of a one-epoch job
        stack = new WorkerStack("WorkerBadShardsIT");
        String jobId = TestJobs.newJobId();
        byte[] dataset = stack.seedCorpus(jobId, 12_000, 5);
        NodeIdentity nan = NodeIdentity.generate();
        NodeIdentity liar = NodeIdentity.generate();
        NodeIdentity w = stack.startWorkers("w").identity(0);
        List<String> workers = List.of(w.address(), nan.address(), liar.address());
        stack.assign(
                TestJobs.assigned(
                        jobId,
                        workers,
                        0,
                        TestJobs.CORPUS,
                        dataset.length,
                        1,
                        30_000,
                        TestJobs.average()));
        stack.assign(TestJobs.round(jobId, w.address(), 1, null, "", workers));

        // When the fakes publish: an impostor's valid shard in the NaN worker's name, the NaN
        // worker's own shard holding NaN, and a shard whose bytes do not match its sha256
        ModelWeights fresh;
        try (GptModel model =
                GptModel.create(
                        new GptConfig(256, 32, 32, 2, 2, 4, 0f, 3e-3f, 0.01f, 1f, 8, 42L),
                        Device.cpu())) {
            fresh = model.weights();
        }
        byte[] valid = WeightsCodec.encode(fresh);
        TrainingEvent forged =
                new TrainingEvents(NodeIdentity.generate(), Clock.systemUTC(), jobId, 1)
                        .shardTrained(
                                1,
                                1,
                                upload(nan, jobId, valid),
                                1.0,
                                1_000_000,
                                Duration.ofSeconds(1));
        forged.setWorker(nan.address());
        stack.publish(forged);
        stack.publish(
                new TrainingEvents(nan, Clock.systemUTC(), jobId, 1)
                        .shardTrained(
                                1,
                                1,
                                upload(nan, jobId, WeightsCodec.encode(BadShards.withNaN(fresh))),
                                2.0,
                                5_000,
                                Duration.ofSeconds(1)));
        ModelRef real = upload(liar, jobId, valid);
        ModelRef lie = ModelRef.newBuilder(real).setSha256("ab".repeat(32)).build();
        stack.publish(
                new TrainingEvents(liar, Clock.systemUTC(), jobId, 1)
                        .shardTrained(1, 2, lie, 2.0, 5_000, Duration.ofSeconds(1)));

        // Then the round averages the real worker's shard alone and names the two rejected ones
        Awaitility.await("the result")
                .atMost(Duration.ofSeconds(90))
                .failFast(() -> stack.recorder.anyTraining(TrainingFailed.class))
                .until(() -> stack.recorder.anyTraining(ResultUploaded.class));
        RoundAggregated round = stack.recorder.firstTraining(RoundAggregated.class);
        assertThat(round.getContributors()).containsExactly(w.address());
        assertThat(round.getRejectedShards())
                .extracting(RejectedShard::getWorker)
                .containsExactlyInAnyOrder(nan.address(), liar.address());
        assertThat(reason(round, nan.address()))
                .contains("holds NaN")
                .contains("non-finite weights are rejected");
        assertThat(reason(round, liar.address()))
                .contains("has sha256")
                .contains("its reference says " + "ab".repeat(32));
        assertThat(
                        TrainingEventSigning.verify(
                                stack.recorder
                                        .training(RoundAggregated.class, e -> true)
                                        .get(0)
                                        .value()))
                .isTrue();
    }

    private ModelRef upload(NodeIdentity as, String jobId, byte[] bytes) throws Exception {
        return BadShards.upload(URI.create(stack.storage.url()), as, jobId, bytes, stack.dir);
    }

    private static String reason(RoundAggregated round, String worker) {
        return round.getRejectedShards().stream()
                .filter(r -> r.getWorker().equals(worker))
                .findFirst()
                .orElseThrow()
                .getReason();
    }
}
