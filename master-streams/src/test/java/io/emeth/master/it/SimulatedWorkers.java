package io.emeth.master.it;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.TrainingCanceled;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The workers of {@link SimulatedWorld}: each trains a round the moment it opens, the aggregator
 * aggregates once every participant's shard is in (and uploads the result after the last round),
 * and all heartbeat the job they hold. Touched only by the world's thread.
 */
final class SimulatedWorkers {
    private final SimulatedWorld world;
    private final Map<String, String> currentJob = new HashMap<>();
    private final Map<String, Integer> currentEpoch = new HashMap<>();
    private final Map<String, TrainingAssigned> attempts = new HashMap<>();
    private final Map<String, Set<String>> shards = new HashMap<>();
    private final Set<String> aggregated = new HashSet<>();
    private int progress;

    SimulatedWorkers(SimulatedWorld world) {
        this.world = world;
    }

    void onAssignment(WorkerAssignment a) {
        String key = a.getJobId() + "/" + a.getAttempt();
        Object payload = a.getPayload();
        if (payload instanceof TrainingAssigned t) {
            attempts.put(key, t);
            currentJob.put(a.getWorker(), a.getJobId());
        } else if (payload instanceof TrainingCanceled) {
            currentJob.remove(a.getWorker(), a.getJobId());
        } else if (payload instanceof RoundOpened round) {
            train(a, round, key);
        }
    }

    /** The worker trains its shard at once; the aggregator aggregates when every shard is in. */
    private void train(WorkerAssignment a, RoundOpened round, String attemptKey) {
        TrainingAssigned assigned = attempts.get(attemptKey);
        if (assigned == null) {
            return;
        }
        String roundKey = attemptKey + "/" + round.getEpoch();
        currentEpoch.put(a.getWorker(), round.getEpoch());
        Set<String> in = shards.computeIfAbsent(roundKey, k -> new HashSet<>());
        if (in.add(a.getWorker())) {
            training(
                    a,
                    a.getWorker(),
                    ShardTrained.newBuilder()
                            .setEpoch(round.getEpoch())
                            .setRank(assigned.getRank())
                            .setModel(model("shard-" + roundKey + "-" + a.getWorker()))
                            .setLoss(2.0)
                            .setTokens(1_000)
                            .setDurationMs(5)
                            .build());
        }
        String aggregator =
                round.getAggregator() != null ? round.getAggregator() : assigned.getAggregator();
        if (in.containsAll(round.getParticipants()) && aggregated.add(roundKey)) {
            training(
                    a,
                    aggregator,
                    RoundAggregated.newBuilder()
                            .setEpoch(round.getEpoch())
                            .setGlobalModel(model("global-" + roundKey))
                            .setValidationLoss(3.0 / round.getEpoch())
                            .setHashChainLink(String.format("%064x", round.getEpoch()))
                            .setContributors(round.getParticipants())
                            .build());
            if (round.getEpoch() == assigned.getEpochs()) {
                training(
                        a,
                        aggregator,
                        ResultUploaded.newBuilder()
                                .setResultFileName("result-" + a.getJobId() + ".zip")
                                .setModel(model("final-" + a.getJobId()))
                                .setHashChain(String.format("%064x", 99))
                                .build());
                for (String w : round.getParticipants()) {
                    currentJob.remove(w, a.getJobId());
                }
            }
        }
    }

    void heartbeats(List<NodeIdentity> workers) {
        progress++;
        for (NodeIdentity w : workers) {
            String job = currentJob.get(w.address());
            world.send(
                    world.topics.workerEvents(),
                    w.address(),
                    world.workerEvent(
                            w.address(),
                            WorkerHeartbeat.newBuilder()
                                    .setPhase(job == null ? WorkerPhase.NONE : WorkerPhase.LEARNING)
                                    .setJobId(job)
                                    .setAttempt(null)
                                    .setEpoch(
                                            job == null
                                                    ? null
                                                    : currentEpoch.getOrDefault(w.address(), 1))
                                    .setProgress((progress % 100) / 100.0)
                                    .build()));
        }
    }

    private void training(WorkerAssignment a, String worker, Object payload) {
        world.send(
                world.topics.trainingEvents(),
                a.getJobId(),
                TrainingEvent.newBuilder()
                        .setJobId(a.getJobId())
                        .setAttempt(a.getAttempt())
                        .setWorker(worker)
                        .setAt(Instant.now())
                        .setSignature("0x" + "00".repeat(65))
                        .setPayload(payload)
                        .build());
    }

    private static ModelRef model(String name) {
        return ModelRef.newBuilder()
                .setUri("models/" + name)
                .setSha256("0".repeat(64))
                .setSizeBytes(1)
                .build();
    }
}
