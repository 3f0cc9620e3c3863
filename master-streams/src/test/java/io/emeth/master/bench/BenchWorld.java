package io.emeth.master.bench;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.master.testing.RawTopics;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.ChainPosition;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.master.JobOpened;
import io.emeth.schemas.avro.master.PoolInboxRecord;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The benchmark's side of the topics: registers workers, requests jobs (remembering when), and
 * plays the chain: every {@code ProcessJob} is answered by another node taking the job, so that its
 * workers are released at once and the pool keeps matching. Records when each job's first {@code
 * TrainingAssigned} became visible (read_committed).
 */
final class BenchWorld implements AutoCloseable {
    static final String OTHER_NODE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

    private final Topics topics;
    private final String pool;
    private final KafkaProducer<String, byte[]> producer;

    /**
     * The workers' heartbeats go out on their own thread and producer: workers are separate
     * processes, and a flush that waits for 2,000 heartbeats a second must not delay the requests
     * or the reading of what the master wrote.
     */
    private final KafkaProducer<String, byte[]> heartbeatProducer;

    private final Thread heartbeatThread;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicLong block = new AtomicLong();

    final Map<String, Long> requestedAt = new ConcurrentHashMap<>();
    final Map<String, Long> assignedAt = new ConcurrentHashMap<>();

    /**
     * Per-stage times of each job (wall clock, ms): when the coordinator wrote its {@code
     * JobOpened} (the record's timestamp), when that became visible on the pool inbox
     * (read_committed), when the pool wrote the first {@code TrainingAssigned} (its timestamp).
     */
    final Map<String, Long> openedAt = new ConcurrentHashMap<>();

    final Map<String, Long> openedSeenAt = new ConcurrentHashMap<>();
    final Map<String, Long> matchedAt = new ConcurrentHashMap<>();
    final Set<String> idleWorkers = ConcurrentHashMap.newKeySet();

    /** Registered workers, which heartbeat every {@link #heartbeatMs} when it is positive. */
    private final List<NodeIdentity> registered = new java.util.concurrent.CopyOnWriteArrayList<>();

    private volatile long heartbeatMs;
    private long cycleStart;
    private int nextWorker;

    private final String poolInbox;
    private final org.apache.kafka.common.serialization.Deserializer<PoolInboxRecord>
            poolInboxValues;

    BenchWorld(String bootstrap, Topics topics, String pool, String poolInbox) {
        this.topics = topics;
        this.poolInbox = poolInbox;
        this.poolInboxValues = topics.valueSerde(PoolInboxRecord.class).deserializer();
        this.pool = pool;
        producer =
                RawTopics.producer(bootstrap, Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024));
        heartbeatProducer =
                RawTopics.producer(bootstrap, Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024));
        consumer =
                RawTopics.consumer(
                        bootstrap, "bench", Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000));
        consumer.subscribe(
                List.of(
                        topics.workerAssignments().name(),
                        topics.chainCommands().name(),
                        topics.workerStatus().name(),
                        poolInbox));
        thread = new Thread(this::run, "bench-world");
        thread.setDaemon(true);
        thread.start();
        heartbeatThread = new Thread(this::sendHeartbeats, "bench-heartbeats");
        heartbeatThread.setDaemon(true);
        heartbeatThread.start();
    }

    void registerWorkers(int from, int to, long capacity) {
        registerWorkers(from, to, i -> capacity);
    }

    /** Workers from..to with the capacity {@code capacityOf} gives each index. */
    void registerWorkers(int from, int to, java.util.function.IntToLongFunction capacityOf) {
        for (int i = from; i < to; i++) {
            long capacity = capacityOf.applyAsLong(i);
            String hex = Integer.toHexString(100_000 + i);
            NodeIdentity w =
                    NodeIdentity.fromPrivateKey("0x" + "0".repeat(64 - hex.length()) + hex);
            long now = System.currentTimeMillis();
            send(
                    topics.workerEvents(),
                    w.address(),
                    WorkerEvent.newBuilder()
                            .setWorker(w.address())
                            .setPool(pool)
                            .setAt(Instant.ofEpochMilli(now))
                            .setPayload(
                                    WorkerRegistered.newBuilder()
                                            .setPowerCapacity(capacity)
                                            .setDevice("cpu")
                                            .setUrl("http://bench-" + i + ":3000")
                                            .setSignedAt(Instant.ofEpochMilli(now))
                                            .setSignature(Signatures.signTimestamp(w, now))
                                            .setHeartbeatIntervalMs(
                                                    heartbeatMs > 0 ? heartbeatMs : null)
                                            .build())
                            .build());
            registered.add(w);
        }
        producer.flush();
    }

    /** Every registered worker heartbeats (idle) every {@code intervalMs} from now on. */
    void heartbeatEvery(long intervalMs) {
        heartbeatMs = intervalMs;
    }

    /**
     * Sends the heartbeats due by now: each worker every {@link #heartbeatMs}, the workers spread
     * evenly over the interval (as independently started workers are), not all at once.
     */
    private void heartbeats() {
        long now = System.currentTimeMillis();
        if (heartbeatMs <= 0) {
            return;
        }
        if (cycleStart == 0) {
            cycleStart = now;
        }
        int n = registered.size();
        while (true) {
            int due = (int) Math.min(n, n * (now - cycleStart) / heartbeatMs);
            for (; nextWorker < due; nextWorker++) {
                heartbeat(registered.get(nextWorker), now);
            }
            if (now - cycleStart < heartbeatMs) {
                return;
            }
            cycleStart += heartbeatMs;
            nextWorker = 0;
        }
    }

    private void heartbeat(NodeIdentity w, long now) {
        RawTopics.send(
                heartbeatProducer,
                topics.workerEvents(),
                w.address(),
                WorkerEvent.newBuilder()
                        .setWorker(w.address())
                        .setPool(pool)
                        .setAt(Instant.ofEpochMilli(now))
                        .setPayload(
                                io.emeth.schemas.avro.worker.WorkerHeartbeat.newBuilder()
                                        .setPhase(io.emeth.schemas.avro.WorkerPhase.NONE)
                                        .setProgress(0)
                                        .build())
                        .build());
    }

    /** Requests a job with a 100,000 s time limit (R = 50 for a small data set). */
    String request(BigInteger fee) {
        return request(fee, 100_000);
    }

    /**
     * Requests a job that needs about {@code capacity} (gas 5: the deadline margin asks for 5·10^6
     * / (T − 3,600 s)).
     */
    String requestNeeding(BigInteger fee, long capacity) {
        return request(fee, 5_000_000 / Math.max(1, capacity) + 3_601);
    }

    private String request(BigInteger fee, long limitSeconds) {
        String jobId = "0x" + UUID.randomUUID().toString().replace("-", "");
        Instant now = Instant.now();
        requestedAt.put(jobId, now.toEpochMilli());
        chain(
                jobId,
                JobRequested.newBuilder()
                        .setOwner("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
                        .setFee(new BigDecimal(fee))
                        .setDeadline(now.plusSeconds(limitSeconds))
                        .setProgramId(0)
                        .setDataset("bench.txt")
                        .setParam("{\"epoch\": 1}")
                        .setDatasetSizeBytes(8_192L)
                        .setRequestedAt(now)
                        .build());
        return jobId;
    }

    void flush() {
        producer.flush();
    }

    private void sendHeartbeats() {
        try {
            while (running) {
                heartbeats();
                TimeUnit.MILLISECONDS.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            var records = consumer.poll(Duration.ofMillis(50));
            // when the poll returned them is when they became visible here; decoding the batch
            // one by one must not add to the later records' times
            long seen = System.currentTimeMillis();
            for (ConsumerRecord<String, byte[]> r : records) {
                if (r.topic().equals(topics.workerAssignments().name())) {
                    WorkerAssignment a = RawTopics.decode(topics.workerAssignments(), r);
                    if (a.getPayload() instanceof TrainingAssigned) {
                        assignedAt.putIfAbsent(a.getJobId(), seen);
                        matchedAt.putIfAbsent(a.getJobId(), r.timestamp());
                    }
                } else if (r.topic().equals(poolInbox)) {
                    PoolInboxRecord in = poolInboxValues.deserialize(r.topic(), r.value());
                    if (in.getPayload() instanceof JobOpened o) {
                        openedAt.putIfAbsent(o.getPlan().getJobId(), r.timestamp());
                        openedSeenAt.putIfAbsent(o.getPlan().getJobId(), seen);
                    }
                } else if (r.topic().equals(topics.chainCommands().name())) {
                    ChainCommand command = RawTopics.decode(topics.chainCommands(), r);
                    if (command.getPayload() instanceof ProcessJob p) {
                        chain(
                                p.getJobId(),
                                JobStatusChanged.newBuilder()
                                        .setNode(OTHER_NODE)
                                        .setStatus(JobStatus.PROCESSING)
                                        .build());
                    }
                } else {
                    WorkerView v = RawTopics.decode(topics.workerStatus(), r);
                    if (v.getState() == WorkerState.IDLE && v.getJobId() == null) {
                        idleWorkers.add(v.getWorker());
                    }
                }
            }
            producer.flush();
        }
    }

    private void chain(String jobId, Object payload) {
        long n = block.incrementAndGet();
        send(
                topics.chainJobEvents(),
                jobId,
                ChainJobEvent.newBuilder()
                        .setJobId(jobId)
                        .setPosition(
                                ChainPosition.newBuilder()
                                        .setBlockNumber(n)
                                        .setBlockHash(String.format("0x%064x", n))
                                        .setTxHash(String.format("0x%064x", n))
                                        .setLogIndex(0)
                                        .build())
                        .setPayload(payload)
                        .build());
    }

    private <V> void send(Topic<String, V> topic, String key, V value) {
        RawTopics.send(producer, topic, key, value);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
        heartbeatThread.join(10_000);
        consumer.close();
        producer.close();
        heartbeatProducer.close();
    }
}
