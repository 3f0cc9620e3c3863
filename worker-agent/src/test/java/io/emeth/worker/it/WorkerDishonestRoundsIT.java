package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.worker.data.DataSplit;
import io.emeth.worker.events.TrainingEvents;
import io.emeth.worker.training.GptConfig;
import io.emeth.worker.training.GptModel;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import io.emeth.worker.weights.WeightsCodec;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Signed participants that try to steer a real aggregator's round: one reports 10^12 tokens for a
 * valid shard, one sends finite garbage (a weight of 1e30) with the plan's token count, and the
 * first also publishes a {@code RoundAggregated} of its own before the aggregator is done. The
 * round is averaged from the aggregator's shard alone, names both rejected shards with the reason,
 * and the forged round is not adopted: the aggregator publishes its own round and the result.
 */
class WorkerDishonestRoundsIT {
    @AutoClose private WorkerStack stack;

    @Test
    void shouldRefuseInflatedTokensAHugeShardAndAForgedRound() throws Exception {
        // Given a real aggregator and two signed but dishonest participants of a one-epoch job
        stack = new WorkerStack("WorkerDishonestRoundsIT");
        String jobId = TestJobs.newJobId();
        byte[] dataset = stack.seedCorpus(jobId, 12_000, 7);
        NodeIdentity inflator = NodeIdentity.generate();
        NodeIdentity huge = NodeIdentity.generate();
        NodeIdentity w = stack.startWorkers("w").identity(0);
        List<String> workers = List.of(w.address(), inflator.address(), huge.address());
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

        ModelWeights fresh;
        try (GptModel model =
                GptModel.create(
                        new GptConfig(256, 32, 32, 2, 2, 4, 0f, 3e-3f, 0.01f, 1f, 8, 42L),
                        Device.cpu())) {
            fresh = model.weights();
        }
        byte[] valid = WeightsCodec.encode(fresh);
        long plannedRank2 =
                (new DataSplit(33, DataSplit.DEFAULT_MAX_DATASET_BYTES)
                                        .split(dataset, "en", 3)
                                        .shard(2)
                                        .length
                                - 1)
                        / 32
                        * 32;

        // When the inflator publishes a round of its own, then its shard claiming 10^12 tokens
        ModelRef inflatorShard = upload(inflator, jobId, valid);
        stack.publish(
                new TrainingEvents(inflator, Clock.systemUTC(), jobId, 1)
                        .roundAggregated(
                                1,
                                inflatorShard,
                                0.1,
                                "00".repeat(32),
                                List.of(inflator.address()),
                                List.of()));
        stack.publish(
                new TrainingEvents(inflator, Clock.systemUTC(), jobId, 1)
                        .shardTrained(
                                1,
                                1,
                                inflatorShard,
                                1.0,
                                1_000_000_000_000L,
                                Duration.ofSeconds(1)));
        // And the other sends a shard holding 1e30 with the plan's token count for its rank
        stack.publish(
                new TrainingEvents(huge, Clock.systemUTC(), jobId, 1)
                        .shardTrained(
                                1,
                                2,
                                upload(huge, jobId, WeightsCodec.encode(with1e30(fresh))),
                                2.0,
                                plannedRank2,
                                Duration.ofSeconds(1)));

        // Then the aggregator publishes the result, from its own round
        Awaitility.await("the result")
                .atMost(Duration.ofSeconds(120))
                .failFast(() -> stack.recorder.anyTraining(TrainingFailed.class))
                .until(
                        () ->
                                !stack.recorder
                                        .training(
                                                ResultUploaded.class,
                                                e -> e.getWorker().equals(w.address()))
                                        .isEmpty());
        List<TrainingEvent> rounds = new ArrayList<>();
        stack.recorder
                .training(RoundAggregated.class, e -> e.getWorker().equals(w.address()))
                .forEach(r -> rounds.add(r.value()));
        assertThat(rounds).hasSize(1);
        RoundAggregated round = (RoundAggregated) rounds.get(0).getPayload();
        assertThat(round.getContributors()).containsExactly(w.address());
        assertThat(round.getHashChainLink()).isNotEqualTo("00".repeat(32));
        assertThat(round.getGlobalModel().getSha256()).isNotEqualTo(inflatorShard.getSha256());
        assertThat(reason(round, inflator.address()))
                .contains("claims 1000000000000 tokens; the plan gives rank 1");
        assertThat(reason(round, huge.address()))
                .contains("has update norm 1.00000e+30")
                .contains("max_update_norm_multiple");
    }

    /** {@code weights} with one value of the first tensor moved to 1e30: finite garbage. */
    private static ModelWeights with1e30(ModelWeights weights) {
        List<NamedTensor> tensors = new ArrayList<>();
        for (NamedTensor t : weights.tensors()) {
            float[] data = t.data().clone();
            if (tensors.isEmpty()) {
                data[3] = 1e30f;
            }
            tensors.add(new NamedTensor(t.name(), t.shape(), data));
        }
        return new ModelWeights(tensors);
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
