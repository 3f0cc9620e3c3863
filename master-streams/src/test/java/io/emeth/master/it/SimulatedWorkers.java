package io.emeth.master.it;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
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
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Workers simulated through the master's topics, for {@link SimulatedWorld} and for the end-to-end
 * drills that run a real master against them: they register with properly signed registrations,
 * each trains a round the moment it opens, the aggregator aggregates once every participant's shard
 * is in (and uploads the result after the last round), and all heartbeat the job they hold. Not
 * thread-safe: one thread feeds it the assignments and asks for the heartbeats.
 */
public final class SimulatedWorkers {
    /** Where the simulated workers publish, and for which pool. */
    public interface Link {
        Topics topics();

        /** The pool (master account) the workers join. */
        String pool();

        <V> void send(Topic<String, V> topic, String key, V value);
    }

    private final Link link;
    private final List<NodeIdentity> workers = new ArrayList<>();
    private final Map<String, String> currentJob = new HashMap<>();
    private final Map<String, Integer> currentEpoch = new HashMap<>();
    private final Map<String, TrainingAssigned> attempts = new HashMap<>();
    private final Map<String, Set<String>> shards = new HashMap<>();
    private final Set<String> aggregated = new HashSet<>();
    private int progress;

    /**
     * The job each worker holds as {@code worker-assignments} tells it, for {@link #violations}.
     */
    private final Map<String, String> holding = new HashMap<>();

    private final Map<String, Integer> heldAttempt = new HashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger assignedCount = new AtomicInteger();

    public SimulatedWorkers(Link link) {
        this.link = link;
    }

    /**
     * Registers {@code count} more workers of {@code capacity}, each with a fixed key (so runs are
     * repeatable) and a registration signed by it as a real worker signs one; answers them.
     */
    public List<NodeIdentity> register(int count, long capacity) {
        List<NodeIdentity> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = workers.size();
            String hex = Integer.toHexString(5_000 + n);
            NodeIdentity w =
                    NodeIdentity.fromPrivateKey("0x" + "0".repeat(64 - hex.length()) + hex);
            workers.add(w);
            added.add(w);
            long now = System.currentTimeMillis();
            link.send(
                    link.topics().workerEvents(),
                    w.address(),
                    workerEvent(
                            w.address(),
                            WorkerRegistered.newBuilder()
                                    .setPowerCapacity(capacity)
                                    .setDevice("cpu")
                                    .setUrl("http://sim-" + n + ":3000")
                                    .setSignedAt(Instant.ofEpochMilli(now))
                                    .setSignature(Signatures.signTimestamp(w, now))
                                    .build()));
        }
        return added;
    }

    /** The registered workers, in registration order. */
    public List<NodeIdentity> workers() {
        return List.copyOf(workers);
    }

    /** Acts on one record of {@code worker-assignments}. */
    public void onAssignment(WorkerAssignment a) {
        String key = a.getJobId() + "/" + a.getAttempt();
        Object payload = a.getPayload();
        if (payload instanceof TrainingAssigned t) {
            checkAssignment(a);
            attempts.put(key, t);
            currentJob.put(a.getWorker(), a.getJobId());
        } else if (payload instanceof TrainingCanceled) {
            currentJob.remove(a.getWorker(), a.getJobId());
            holding.remove(a.getWorker(), a.getJobId());
        } else if (payload instanceof RoundOpened round) {
            train(a, round, key);
        }
    }

    /**
     * A worker may be assigned a job only when it holds none (never assigned, told {@code
     * TrainingCanceled}, or its job's result uploaded), or the next attempt of the job it holds.
     */
    private void checkAssignment(WorkerAssignment a) {
        assignedCount.incrementAndGet();
        String worker = a.getWorker();
        String held = holding.get(worker);
        if (held != null && !held.equals(a.getJobId())) {
            violations.add(
                    "worker "
                            + worker
                            + " assigned "
                            + a.getJobId()
                            + " (attempt "
                            + a.getAttempt()
                            + ") while holding "
                            + held);
        } else if (held != null && a.getAttempt() <= heldAttempt.get(worker)) {
            violations.add(
                    "worker "
                            + worker
                            + " assigned "
                            + held
                            + " attempt "
                            + a.getAttempt()
                            + " again");
        }
        holding.put(worker, a.getJobId());
        heldAttempt.put(worker, a.getAttempt());
    }

    /** Assignments that broke the rule of {@link #checkAssignment}; empty when none did. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** How many {@code TrainingAssigned} the workers received. */
    public int assignedCount() {
        return assignedCount.get();
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
                    holding.remove(w, a.getJobId()); // a finished job frees without a cancel
                }
            }
        }
    }

    /** Every registered worker heartbeats the job it holds (or none). */
    public void heartbeats() {
        progress++;
        for (NodeIdentity w : workers) {
            String job = currentJob.get(w.address());
            link.send(
                    link.topics().workerEvents(),
                    w.address(),
                    workerEvent(
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
        link.send(
                link.topics().trainingEvents(),
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

    private WorkerEvent workerEvent(String worker, Object payload) {
        return WorkerEvent.newBuilder()
                .setWorker(worker)
                .setPool(link.pool())
                .setAt(Instant.now())
                .setPayload(payload)
                .build();
    }

    private static ModelRef model(String name) {
        return ModelRef.newBuilder()
                .setUri("models/" + name)
                .setSha256("0".repeat(64))
                .setSizeBytes(1)
                .build();
    }
}
