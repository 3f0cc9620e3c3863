package io.emeth.e2e.support;

import ai.djl.Device;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.common.config.WorkerTimeouts;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import io.emeth.worker.events.TrainingEvents;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.it.BadShards;
import io.emeth.worker.it.TestJobs;
import io.emeth.worker.jobs.JobSpec;
import io.emeth.worker.training.GptModel;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.WeightsCodec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What an attacker or a broken peer puts on a running node's topics, built with the same code real
 * workers use so that only the one thing under test is wrong: a shard holding NaN signed by a real
 * worker's key, and a registration of a real worker's address signed by another key.
 */
public final class HostileInputs {
    private HostileInputs() {}

    /**
     * Uploads weights of the job's own model layout with one NaN in {@code worker}'s name and
     * publishes a {@code ShardTrained} of {@code epoch} for them, signed with {@code worker}'s key:
     * the shard a worker with broken numerics would send.
     */
    public static void publishNaNShard(
            NodeStack node, WorkerAssignment assignment, NodeIdentity worker, int epoch)
            throws Exception {
        TrainingAssigned t = (TrainingAssigned) assignment.getPayload();
        JobSpec spec =
                JobSpec.from(
                        assignment,
                        t,
                        worker.address(),
                        WorkerTimeouts.DEFAULTS,
                        System.currentTimeMillis());
        ModelWeights fresh;
        if (spec.modelName().isPresent()) {
            // the drills' jobs fine-tune the tiny pretrained GPT-2 their workers hold
            Path dir = TestJobs.writeTinyGpt2(node.dir().resolve("hostile-models"));
            try (Gpt2Model model = Gpt2Model.load(dir, 0f, Device.cpu())) {
                fresh = model.weights();
            }
        } else {
            try (GptModel model = GptModel.create(spec.model(), Device.cpu())) {
                fresh = model.weights();
            }
        }
        ModelRef ref =
                BadShards.upload(
                        URI.create(node.storage().url()),
                        worker,
                        assignment.getJobId(),
                        WeightsCodec.encode(BadShards.withNaN(fresh)),
                        node.dir().resolve("bad-shards"));
        TrainingEvent shard =
                new TrainingEvents(
                                worker,
                                Clock.systemUTC(),
                                assignment.getJobId(),
                                assignment.getAttempt())
                        .shardTrained(epoch, t.getRank(), ref, 2.0, 5_000, Duration.ofSeconds(1));
        KafkaFixture.publish(node.topics().trainingEvents(), assignment.getJobId(), shard);
    }

    /**
     * Publishes a fresh registration of {@code worker} claiming a huge GPU, signed by {@code
     * impostor}'s key instead of the worker's.
     */
    public static void publishForgedRegistration(
            NodeStack node, String worker, NodeIdentity impostor) throws Exception {
        long now = System.currentTimeMillis();
        WorkerEvent forged =
                WorkerEvent.newBuilder()
                        .setWorker(worker)
                        .setPool(node.pool())
                        .setAt(Instant.ofEpochMilli(now))
                        .setPayload(
                                WorkerRegistered.newBuilder()
                                        .setPowerCapacity(1_000_000)
                                        .setDevice("cuda")
                                        .setUrl("http://impostor.example:3000")
                                        .setSignedAt(Instant.ofEpochMilli(now))
                                        .setSignature(Signatures.signTimestamp(impostor, now))
                                        .build())
                        .build();
        KafkaFixture.publish(node.topics().workerEvents(), worker, forged);
    }
}
