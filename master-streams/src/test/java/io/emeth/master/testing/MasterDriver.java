package io.emeth.master.testing;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.master.InternalTopics;
import io.emeth.master.MasterTopology;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.ChainPosition;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.admin.AdminCommand;
import io.emeth.schemas.avro.admin.DeclineJobRequest;
import io.emeth.schemas.avro.admin.DisconnectWorker;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.JobCanceled;
import io.emeth.schemas.avro.chain.JobEventsRewound;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.TxFailed;
import io.emeth.schemas.avro.gateway.TxFailureKind;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerLeft;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import io.emeth.schemas.registry.SerdeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The master's topology under {@link TopologyTestDriver} with an in-memory registry, plus the
 * inputs a test needs (chain logs, worker events, training events, admin commands, transaction
 * results) and everything it produced so far, outputs accumulated in order.
 */
public final class MasterDriver extends MasterOutputs implements AutoCloseable {
    public static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final AtomicInteger BLOCK = new AtomicInteger(1);

    public final MasterStreamsConfig config;
    public final Topics topics;
    private final TopologyTestDriver driver;
    private final Path stateDir;
    private final TestInputTopic<String, ChainJobEvent> chain;
    private final TestInputTopic<String, WorkerEvent> workerEvents;
    private final TestInputTopic<String, TrainingEvent> training;
    private final TestInputTopic<String, AdminCommand> admin;
    private final TestInputTopic<String, ChainTxResult> txResults;
    private Instant now = T0;
    private boolean closed;
    private org.apache.kafka.streams.TestOutputTopic<String, byte[]> poolInbox;
    private int poolInboxCount;

    public MasterDriver(MasterStreamsConfig config) {
        this.config = config;
        this.topics = Topics.create(SerdeConfig.of("mock://" + UUID.randomUUID()));
        try {
            stateDir = Files.createTempDirectory("master-driver");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.master().applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(MasterTopology.build(config, topics), props, T0);
        chain = input(topics.chainJobEvents());
        workerEvents = input(topics.workerEvents());
        training = input(topics.trainingEvents());
        admin = input(topics.adminCommands());
        txResults = input(topics.chainTxResults());
        record(driver, topics);
    }

    public String pool() {
        return config.poolId();
    }

    public Instant now() {
        return now;
    }

    /** Moves the wall clock, firing due wall-clock punctuators. */
    public void advance(Duration duration) {
        now = now.plus(duration);
        driver.advanceWallClockTime(duration);
    }

    // ---- workers -------------------------------------------------------------------------

    public void register(NodeIdentity worker, long powerCapacity) {
        long signedAt = now.toEpochMilli();
        register(
                worker.address(),
                powerCapacity,
                signedAt,
                Signatures.signTimestamp(worker, signedAt),
                null);
    }

    public void register(
            String worker, long capacity, long signedAt, String signature, Long heartbeatMs) {
        register(worker, capacity, signedAt, signature, heartbeatMs, List.of());
    }

    /** A registration of a worker that holds {@code models}. */
    public void register(NodeIdentity worker, long powerCapacity, List<String> models) {
        long signedAt = now.toEpochMilli();
        register(
                worker.address(),
                powerCapacity,
                signedAt,
                Signatures.signTimestamp(worker, signedAt),
                null,
                models);
    }

    private void register(
            String worker,
            long capacity,
            long signedAt,
            String signature,
            Long heartbeatMs,
            List<String> models) {
        workerEvent(
                worker,
                WorkerRegistered.newBuilder()
                        .setPowerCapacity(capacity)
                        .setDevice("cpu")
                        .setUrl("http://" + worker.substring(2, 8) + ":3000")
                        .setSignedAt(Instant.ofEpochMilli(signedAt))
                        .setSignature(signature)
                        .setHeartbeatIntervalMs(heartbeatMs)
                        .setModels(List.copyOf(models))
                        .build());
    }

    public void heartbeat(
            String worker,
            WorkerPhase phase,
            String jobId,
            Integer attempt,
            Integer epoch,
            double progress) {
        workerEvent(
                worker,
                WorkerHeartbeat.newBuilder()
                        .setPhase(phase)
                        .setJobId(jobId)
                        .setAttempt(attempt)
                        .setEpoch(epoch)
                        .setProgress(progress)
                        .build());
    }

    public void idle(String worker) {
        heartbeat(worker, WorkerPhase.NONE, null, null, null, 0);
    }

    public void left(String worker) {
        workerEvent(worker, WorkerLeft.newBuilder().setReason("shutdown").build());
    }

    public void workerEvent(String worker, Object payload) {
        workerEvent(worker, payload, now);
    }

    /** A worker event that reached Kafka at {@code arrivedAt} (its record timestamp). */
    public void workerEvent(String worker, Object payload, Instant arrivedAt) {
        workerEvents.pipeInput(
                worker,
                WorkerEvent.newBuilder()
                        .setWorker(worker)
                        .setPool(pool())
                        .setAt(now)
                        .setPayload(payload)
                        .build(),
                arrivedAt);
    }

    public void rawWorkerEvent(String key, WorkerEvent event) {
        workerEvents.pipeInput(key, event, now);
    }

    // ---- chain ---------------------------------------------------------------------------

    /** A request with the given fee, size and time limit, requested now. */
    public String request(BigInteger feeWei, long sizeBytes, Duration timeLimit, String param) {
        String jobId = jobId();
        request(jobId, feeWei, sizeBytes, now, now.plus(timeLimit), param, 0);
        return jobId;
    }

    public void request(
            String jobId,
            BigInteger feeWei,
            Long sizeBytes,
            Instant requestedAt,
            Instant deadline,
            String param,
            long programId) {
        chainEvent(
                jobId,
                Payloads.jobRequested(
                        jobId, feeWei, sizeBytes, requestedAt, deadline, param, programId));
    }

    public void status(String jobId, String node, JobStatus status) {
        chainEvent(jobId, JobStatusChanged.newBuilder().setNode(node).setStatus(status).build());
    }

    public void processingByUs(String jobId) {
        status(jobId, pool(), JobStatus.PROCESSING);
    }

    public void cancel(String jobId) {
        chainEvent(jobId, JobCanceled.newBuilder().build());
    }

    /** The indexer's word that a reorg voided the job's events from {@code fromBlock} on. */
    public void rewound(String jobId, long fromBlock) {
        chainEvent(jobId, JobEventsRewound.newBuilder().setFromBlock(fromBlock).build());
    }

    /** The block of the last chain event piped (each one gets the next block). */
    public long lastBlock() {
        return BLOCK.get();
    }

    public void chainEvent(String jobId, Object payload) {
        int block = BLOCK.incrementAndGet();
        chain.pipeInput(
                jobId,
                ChainJobEvent.newBuilder()
                        .setJobId(jobId)
                        .setPosition(
                                ChainPosition.newBuilder()
                                        .setBlockNumber(block)
                                        .setBlockHash("0x" + "ab".repeat(32))
                                        .setTxHash("0x" + "cd".repeat(32))
                                        .setLogIndex(0)
                                        .build())
                        .setPayload(payload)
                        .build(),
                now);
    }

    public static String jobId() {
        return "0x" + UUID.randomUUID().toString().replace("-", "");
    }

    // ---- training ------------------------------------------------------------------------

    public void shard(String jobId, int attempt, String worker, int epoch) {
        trainingEvent(jobId, attempt, worker, Payloads.shardTrained(epoch, worker));
    }

    public void aggregated(String jobId, int attempt, String worker, int epoch, double loss) {
        trainingEvent(jobId, attempt, worker, Payloads.roundAggregated(epoch, loss));
    }

    public void resultUploaded(String jobId, int attempt, String worker, String file) {
        trainingEvent(jobId, attempt, worker, Payloads.resultUploaded(file));
    }

    public void trainingFailed(String jobId, int attempt, String worker, int epoch) {
        trainingEvent(jobId, attempt, worker, Payloads.trainingFailed(epoch));
    }

    public void trainingEvent(String jobId, int attempt, String worker, Object payload) {
        training.pipeInput(
                jobId,
                TrainingEvent.newBuilder()
                        .setJobId(jobId)
                        .setAttempt(attempt)
                        .setWorker(worker)
                        .setAt(now)
                        .setSignature("0x" + "11".repeat(65))
                        .setPayload(payload)
                        .build(),
                now);
    }

    // ---- operator and gateway ------------------------------------------------------------

    public void disconnect(String worker) {
        adminCommand(worker, DisconnectWorker.newBuilder().setWorker(worker).build());
    }

    public void declineRequest(String jobId) {
        adminCommand(jobId, DeclineJobRequest.newBuilder().setJobId(jobId).build());
    }

    private void adminCommand(String key, Object payload) {
        admin.pipeInput(
                key,
                AdminCommand.newBuilder()
                        .setCommandId(UUID.randomUUID().toString())
                        .setIssuedAt(now)
                        .setRequestedBy("cli")
                        .setPayload(payload)
                        .build(),
                now);
    }

    public void txFailed(ChainCommand command, ChainAction action, String jobId) {
        txResults.pipeInput(
                command.getCommandId(),
                ChainTxResult.newBuilder()
                        .setCommandId(command.getCommandId())
                        .setAccount(command.getAccount())
                        .setAt(now)
                        .setAction(action)
                        .setJobId(jobId)
                        .setPayload(
                                TxFailed.newBuilder()
                                        .setReason("insufficient EMT for the deposit")
                                        .setKind(TxFailureKind.REVERTED)
                                        .build())
                        .build(),
                now);
    }

    /** How many records the master wrote to its pool inbox so far. */
    public int poolInboxRecords() {
        if (poolInbox == null) {
            poolInbox =
                    driver.createOutputTopic(
                            InternalTopics.poolInbox(config, topics),
                            Serdes.String().deserializer(),
                            Serdes.ByteArray().deserializer());
        }
        poolInboxCount += poolInbox.readRecordsToList().size();
        return poolInboxCount;
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(
                topic.name(), Serdes.String().serializer(), topic.valueSerde().serializer());
    }

    /** Closes the driver; a second call does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            driver.close();
        }
    }
}
