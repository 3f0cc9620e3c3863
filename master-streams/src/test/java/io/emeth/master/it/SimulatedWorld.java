package io.emeth.master.it;

import io.emeth.master.testing.RawTopics;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.ChainPosition;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.JobCanceled;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Everything around the master, simulated through its topics: a {@link SimulatedPool} of workers
 * that register, heartbeat, train every round they are given in no time (the aggregator aggregating
 * once all shards are in) and upload the result; and a chain + gateway that answers {@code
 * ProcessJob}, {@code SubmitResult} and {@code DeclineJob} with the chain events a real one would
 * produce. Records what the master publishes (read_committed) for the test's assertions.
 *
 * <p>{@link #workersOnly} leaves the chain and the gateway to real ones (the e2e load drill): only
 * the workers are simulated, and the master's job and worker views are kept, latest per key.
 */
public final class SimulatedWorld implements AutoCloseable {
    /** How the simulated chain answers a job's ProcessJob and result. */
    enum Fate {
        VERIFIED,
        REJECTED,
        CANCELED_BEFORE_PROCESSING,
        TAKEN_BY_ANOTHER_NODE,
        INELIGIBLE
    }

    static final String OTHER_NODE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

    final Topics topics;
    private final String pool;
    private final SimulatedPool simulated;
    private final AtomicInteger block = new AtomicInteger();

    final Map<String, Fate> fates = new ConcurrentHashMap<>();
    final List<ChainCommand> commands = new CopyOnWriteArrayList<>();
    final Map<String, JobView> jobs = new ConcurrentHashMap<>();
    private final Map<String, WorkerView> latestWorkerViews = new ConcurrentHashMap<>();
    private final boolean simulateChain;

    SimulatedWorld(String bootstrap, Topics topics, String pool) {
        this(bootstrap, topics, pool, true);
    }

    private SimulatedWorld(String bootstrap, Topics topics, String pool, boolean simulateChain) {
        this.topics = topics;
        this.pool = pool;
        this.simulateChain = simulateChain;
        List<String> subscribed =
                new ArrayList<>(List.of(topics.jobStatus().name(), topics.workerStatus().name()));
        if (simulateChain) {
            subscribed.add(topics.chainCommands().name());
        }
        this.simulated = new SimulatedPool(bootstrap, topics, pool, subscribed, this::dispatch);
    }

    /**
     * Simulated workers of {@code pool} only, for a master whose chain and gateway are real: {@code
     * chain-commands} are left to the gateway, and a worker's finished job (its {@code
     * ResultUploaded}) is what makes the master submit and free the worker.
     */
    public static SimulatedWorld workersOnly(String bootstrap, Topics topics, String pool) {
        return new SimulatedWorld(bootstrap, topics, pool, false);
    }

    /** Registers {@code workerCount} workers of power {@code capacity} and starts heartbeating. */
    public void start(int workerCount, long capacity) {
        simulated.start(workerCount, capacity);
    }

    /** A request with a time limit of {@code limit}, the given fee and fate. */
    String request(BigInteger fee, Duration limit, Fate fate) {
        String jobId = "0x" + UUID.randomUUID().toString().replace("-", "");
        fates.put(jobId, fate);
        Instant now = Instant.now();
        chain(
                jobId,
                JobRequested.newBuilder()
                        .setOwner("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
                        .setFee(new BigDecimal(fee))
                        .setDeadline(now.plus(limit))
                        .setProgramId(0)
                        .setDataset("sim-" + jobId.substring(2, 10) + ".txt")
                        .setParam("{\"epoch\": 2, \"language\": \"en\"}")
                        .setDatasetSizeBytes(8_192L)
                        .setRequestedAt(now)
                        .build());
        simulated.flush();
        return jobId;
    }

    private void dispatch(ConsumerRecord<String, byte[]> r) {
        String topic = r.topic();
        if (topic.equals(topics.chainCommands().name())) {
            ChainCommand command = RawTopics.decode(topics.chainCommands(), r);
            commands.add(command);
            onCommand(command);
        } else if (topic.equals(topics.jobStatus().name())) {
            JobView view = RawTopics.decode(topics.jobStatus(), r);
            jobs.put(view.getJobId(), view);
        } else {
            WorkerView view = RawTopics.decode(topics.workerStatus(), r);
            latestWorkerViews.put(view.getWorker(), view);
        }
    }

    private void onCommand(ChainCommand command) {
        Object payload = command.getPayload();
        if (payload instanceof ProcessJob p) {
            Fate fate = fates.get(p.getJobId());
            if (fate == Fate.CANCELED_BEFORE_PROCESSING) {
                chain(p.getJobId(), JobCanceled.newBuilder().build());
            } else if (fate == Fate.TAKEN_BY_ANOTHER_NODE) {
                status(p.getJobId(), OTHER_NODE, JobStatus.PROCESSING);
            } else {
                status(p.getJobId(), pool, JobStatus.PROCESSING);
            }
        } else if (payload instanceof SubmitResult s) {
            status(s.getJobId(), pool, JobStatus.SUBMITTED);
            boolean verified = fates.get(s.getJobId()) == Fate.VERIFIED;
            status(s.getJobId(), pool, verified ? JobStatus.VERIFIED : JobStatus.REJECTED);
        } else if (payload instanceof DeclineJob d) {
            status(d.getJobId(), pool, JobStatus.DECLINED);
        }
    }

    private void status(String jobId, String node, JobStatus status) {
        chain(jobId, JobStatusChanged.newBuilder().setNode(node).setStatus(status).build());
    }

    private void chain(String jobId, Object payload) {
        int n = block.incrementAndGet();
        simulated.send(
                topics.chainJobEvents(),
                jobId,
                ChainJobEvent.newBuilder()
                        .setJobId(jobId)
                        .setPosition(
                                ChainPosition.newBuilder()
                                        .setBlockNumber(n)
                                        .setBlockHash(String.format("0x%064x", n))
                                        .setTxHash(String.format("0x%064x", n + 1_000_000))
                                        .setLogIndex(0)
                                        .build())
                        .setPayload(payload)
                        .build());
    }

    /** Assignments on {@code worker-assignments} that broke the one-job-at-a-time rule. */
    List<String> assignmentViolations() {
        return simulated.simulatedWorkers().violations();
    }

    /** How many {@code TrainingAssigned} the workers received on {@code worker-assignments}. */
    int assignedCount() {
        return simulated.simulatedWorkers().assignedCount();
    }

    /** Workers the master's latest view shows IDLE and holding no job. */
    public long idleWorkers() {
        return latestWorkerViews.values().stream()
                .filter(v -> v.getState() == WorkerState.IDLE && v.getJobId() == null)
                .count();
    }

    /** The master's latest view of a job, or null when it has published none. */
    public JobView job(String jobId) {
        return jobs.get(jobId);
    }

    @Override
    public void close() throws InterruptedException {
        simulated.close();
    }
}
