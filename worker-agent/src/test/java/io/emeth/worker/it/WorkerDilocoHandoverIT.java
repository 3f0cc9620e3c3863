package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.storage.StorageClient;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.worker.averaging.ModelAveraging;
import io.emeth.worker.averaging.NesterovOuterOptimizer;
import io.emeth.worker.averaging.ShardUpdate;
import io.emeth.worker.hashchain.HashChain;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.WeightsCodec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A two-epoch DiLoCo job whose aggregator is killed between the rounds, so that the master names
 * the other worker aggregator of round 2. That worker never held the momentum: it resumes the one
 * uploaded with round 1, so round 2's global model is exactly the DiLoCo step an aggregator that
 * was never killed computes from the same model, shard and momentum (not a restart at zero).
 */
class WorkerDilocoHandoverIT {
    @AutoClose private WorkerStack stack;
    private NodeIdentity reader;

    @Test
    void shouldContinueTheMomentumWhenAnotherWorkerAggregatesTheNextRound() throws Exception {
        // Given two workers of a two-epoch DiLoCo job, round 1 aggregated by a
        stack = new WorkerStack("WorkerDilocoHandoverIT");
        String jobId = TestJobs.newJobId();
        byte[] dataset = stack.seedCorpus(jobId, 30_000, 17);
        StartedWorkers started = stack.startWorkers("a", "b");
        List<String> workers = started.addresses();
        String b = workers.get(1);
        reader = started.identity(1);
        EventRecorder events = stack.recorder;
        stack.assignAll(TestJobs.job(jobId, workers, dataset.length, 2, 60_000, TestJobs.diloco()));
        stack.assignAll(TestJobs.rounds(jobId, workers, 1, null, ""));
        Awaitility.await("round 1")
                .atMost(Duration.ofSeconds(90))
                .failFast(() -> events.anyTraining(TrainingFailed.class))
                .until(() -> events.anyTraining(RoundAggregated.class));
        RoundAggregated first = events.firstTraining(RoundAggregated.class);
        assertThat(first.getOuterMomentum()).isNotNull();

        // When a is killed and round 2 opens with b alone, named its aggregator
        started.agent(0).close();
        WorkerAssignment round2 =
                TestJobs.round(
                        jobId, b, 2, first.getGlobalModel(), first.getHashChainLink(), List.of(b));
        ((RoundOpened) round2.getPayload()).setAggregator(b);
        stack.assign(round2);

        // Then b aggregates round 2 and uploads the result
        Awaitility.await("the result")
                .atMost(Duration.ofSeconds(120))
                .failFast(() -> events.anyTraining(TrainingFailed.class))
                .until(() -> events.anyTraining(ResultUploaded.class));
        RoundAggregated second = events.roundAggregated(2);
        assertThat(events.training(RoundAggregated.class, e -> e.getWorker().equals(b))).hasSize(1);

        // And its global model is the DiLoCo step from round 1's momentum, not from zero
        ModelWeights global1 = download(jobId, first.getGlobalModel());
        ModelWeights momentum1 = download(jobId, first.getOuterMomentum());
        ShardTrained shard = (ShardTrained) events.shardsTrained(b, 2).get(0).value().getPayload();
        List<ShardUpdate> shards =
                List.of(new ShardUpdate("b", download(jobId, shard.getModel()), shard.getTokens()));
        ModelWeights resumed =
                new ModelAveraging(new NesterovOuterOptimizer(0.7, 0.9, momentum1))
                        .aggregate(global1, shards);
        ModelWeights fromZero =
                new ModelAveraging(new NesterovOuterOptimizer(0.7, 0.9, null))
                        .aggregate(global1, shards);
        assertThat(second.getGlobalModel().getSha256()).isEqualTo(sha256(resumed));
        assertThat(second.getGlobalModel().getSha256()).isNotEqualTo(sha256(fromZero));

        // And the momentum a uploaded is the one it kept on its disk
        Path kept =
                stack.dir
                        .resolve("a")
                        .resolve("data")
                        .resolve("jobs")
                        .resolve(jobId.toLowerCase(Locale.ROOT))
                        .resolve("attempt-1")
                        .resolve("momentum.emwt");
        assertThat(HexFormat.of().formatHex(HashChain.sha256(Files.readAllBytes(kept))))
                .isEqualTo(first.getOuterMomentum().getSha256());
    }

    private ModelWeights download(String jobId, ModelRef ref) throws Exception {
        Path file = Files.createTempFile(stack.dir, "download", ".emwt");
        StorageClient.builder(URI.create(stack.storage.url()), reader)
                .build()
                .download(jobId, ref.getUri(), file);
        return WeightsCodec.decode(Files.readAllBytes(file));
    }

    private static String sha256(ModelWeights weights) {
        return HexFormat.of().formatHex(HashChain.sha256(WeightsCodec.encode(weights)));
    }
}
