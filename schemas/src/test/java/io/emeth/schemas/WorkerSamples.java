package io.emeth.schemas;

import static io.emeth.schemas.EventSamples.AT;
import static io.emeth.schemas.EventSamples.JOB_ID;
import static io.emeth.schemas.EventSamples.NODE;
import static io.emeth.schemas.EventSamples.WORKER;
import static io.emeth.schemas.EventSamples.WORKER_2;
import static io.emeth.schemas.EventSamples.model;

import io.emeth.schemas.EventSamples.Sample;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.admin.AdminCommand;
import io.emeth.schemas.avro.admin.DeclineJobRequest;
import io.emeth.schemas.avro.admin.DisconnectWorker;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.worker.AggregationConfig;
import io.emeth.schemas.avro.worker.AggregationMethod;
import io.emeth.schemas.avro.worker.ByteRange;
import io.emeth.schemas.avro.worker.DatasetRef;
import io.emeth.schemas.avro.worker.ModelConfig;
import io.emeth.schemas.avro.worker.PhaseTimeouts;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.TrainingCanceled;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerLeft;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.util.List;

/** Samples of the worker-side topics (workers, training, admin) for {@link EventSamples}. */
final class WorkerSamples {
    private WorkerSamples() {}

    static List<Sample> workerEvents() {
        return List.of(
                workerEvent(
                        "WorkerRegistered",
                        WorkerRegistered.newBuilder()
                                .setPowerCapacity(2_000L)
                                .setDevice("cuda:1")
                                .setUrl("http://10.0.0.7:5000")
                                .setSignedAt(AT)
                                .setSignature("0x" + "5a".repeat(65))
                                .setHeartbeatIntervalMs(5_000L)
                                .build()),
                workerEvent(
                        "WorkerHeartbeat",
                        WorkerHeartbeat.newBuilder()
                                .setPhase(WorkerPhase.LEARNING)
                                .setJobId(JOB_ID)
                                .setAttempt(1)
                                .setEpoch(2)
                                .setProgress(0.625)
                                .build()),
                workerEvent("WorkerLeft", WorkerLeft.newBuilder().setReason("shutdown").build()));
    }

    private static Sample workerEvent(String description, Object payload) {
        return new Sample(
                description,
                Topics.WORKER_EVENTS,
                WORKER,
                WorkerEvent.newBuilder()
                        .setWorker(WORKER)
                        .setPool(NODE)
                        .setAt(AT)
                        .setPayload(payload)
                        .build());
    }

    static TrainingAssigned trainingAssigned() {
        return TrainingAssigned.newBuilder()
                .setRank(0)
                .setWorldSize(2)
                .setWorkers(List.of(WORKER, WORKER_2))
                .setShard(ByteRange.newBuilder().setStartByte(0L).setEndByte(3_800L).build())
                .setValidation(
                        ByteRange.newBuilder().setStartByte(7_600L).setEndByte(8_192L).build())
                .setDataset(
                        DatasetRef.newBuilder()
                                .setName("wiki-ja-small")
                                .setSizeBytes(8_192L)
                                .setSha256("9f".repeat(32))
                                .build())
                .setEpochs(2)
                .setBatchSize(16)
                .setTimeouts(
                        PhaseTimeouts.newBuilder()
                                .setWaitDataMs(300_000L)
                                .setIdleMs(1_200_000L)
                                .setLearningMs(10_000L)
                                .setCheckpointMs(2_400_000L)
                                .build())
                .setAggregator(WORKER)
                .setModel(
                        ModelConfig.newBuilder()
                                .setContextLength(128)
                                .setEmbeddingDim(128)
                                .setLayers(2)
                                .setHeads(4)
                                .setDropout(0.1)
                                .setLearningRate(3e-4)
                                .setWeightDecay(0.01)
                                .setGradientClip(1.0)
                                .setSeed(42L)
                                .build())
                .setAggregation(
                        AggregationConfig.newBuilder()
                                .setMethod(AggregationMethod.DILOCO)
                                .setOuterLearningRate(0.7)
                                .setOuterMomentum(0.9)
                                .build())
                .setLanguage("ja")
                .setProgramId(0L)
                .build();
    }

    static List<Sample> workerAssignments() {
        return List.of(
                assignment("TrainingAssigned", trainingAssigned()),
                assignment(
                        "RoundOpened",
                        RoundOpened.newBuilder()
                                .setEpoch(2)
                                .setGlobalModel(model("global-1"))
                                .setHashChain("c0".repeat(32))
                                .setParticipants(List.of(WORKER, WORKER_2))
                                .setAggregator(null)
                                .build()),
                assignment(
                        "TrainingCanceled",
                        TrainingCanceled.newBuilder().setReason("job canceled on chain").build()));
    }

    private static Sample assignment(String description, Object payload) {
        return new Sample(
                description,
                Topics.WORKER_ASSIGNMENTS,
                WORKER,
                WorkerAssignment.newBuilder()
                        .setWorker(WORKER)
                        .setJobId(JOB_ID)
                        .setAttempt(1)
                        .setPayload(payload)
                        .build());
    }

    static List<Sample> trainingEvents() {
        return List.of(
                trainingEvent(
                        "ShardTrained",
                        ShardTrained.newBuilder()
                                .setEpoch(1)
                                .setRank(1)
                                .setModel(model("shard-1-1"))
                                .setLoss(2.3456)
                                .setTokens(3_800L)
                                .setDurationMs(12_345L)
                                .build()),
                trainingEvent(
                        "RoundAggregated",
                        RoundAggregated.newBuilder()
                                .setEpoch(1)
                                .setGlobalModel(model("global-1"))
                                .setValidationLoss(2.1)
                                .setHashChainLink("c0".repeat(32))
                                .setContributors(List.of(WORKER))
                                .setRejectedShards(
                                        List.of(
                                                RejectedShard.newBuilder()
                                                        .setWorker(WORKER_2)
                                                        .setReason("NaN in layer 0 weights")
                                                        .build()))
                                .build()),
                trainingEvent(
                        "ResultUploaded",
                        ResultUploaded.newBuilder()
                                .setResultFileName("results/" + JOB_ID + ".tar")
                                .setModel(model("final"))
                                .setHashChain("c2".repeat(32))
                                .setValidationLoss(1.9)
                                .build()),
                trainingEvent(
                        "TrainingFailed",
                        TrainingFailed.newBuilder()
                                .setEpoch(2)
                                .setReason("learning timed out after 10000 ms")
                                .setPhase(WorkerPhase.TIMEOUT)
                                .build()));
    }

    private static Sample trainingEvent(String description, Object payload) {
        return new Sample(
                description,
                Topics.TRAINING_EVENTS,
                JOB_ID,
                TrainingEvent.newBuilder()
                        .setJobId(JOB_ID)
                        .setAttempt(1)
                        .setWorker(WORKER)
                        .setAt(AT)
                        .setSignature("0x" + "5b".repeat(65))
                        .setPayload(payload)
                        .build());
    }

    static List<Sample> adminCommands() {
        return List.of(
                new Sample(
                        "DisconnectWorker",
                        Topics.ADMIN_COMMANDS,
                        WORKER,
                        admin(DisconnectWorker.newBuilder().setWorker(WORKER).build())),
                new Sample(
                        "DeclineJobRequest",
                        Topics.ADMIN_COMMANDS,
                        JOB_ID,
                        admin(DeclineJobRequest.newBuilder().setJobId(JOB_ID).build())));
    }

    private static AdminCommand admin(Object payload) {
        return AdminCommand.newBuilder()
                .setCommandId("admin-" + payload.getClass().getSimpleName())
                .setIssuedAt(AT)
                .setRequestedBy("127.0.0.1")
                .setPayload(payload)
                .build();
    }
}
