package io.emeth.master.it;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.master.testing.RawTopics;
import io.emeth.schemas.Topic;
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
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Everything around the master, simulated through its topics: workers that register, heartbeat,
 * train every round they are given in no time (the aggregator aggregating once all shards are in)
 * and upload the result; and a chain + gateway that answers {@code ProcessJob}, {@code
 * SubmitResult} and {@code DeclineJob} with the chain events a real one would produce. Records what
 * the master publishes (read_committed) for the test's assertions.
 */
final class SimulatedWorld implements AutoCloseable {
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
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicInteger block = new AtomicInteger();

    final List<NodeIdentity> workers = new ArrayList<>();
    final Map<String, Fate> fates = new ConcurrentHashMap<>();
    final List<ChainCommand> commands = new CopyOnWriteArrayList<>();
    final List<WorkerView> workerViews = new CopyOnWriteArrayList<>();
    final Map<String, JobView> jobs = new ConcurrentHashMap<>();
    private final SimulatedWorkers simulated = new SimulatedWorkers(this);

    SimulatedWorld(String bootstrap, Topics topics, String pool) {
        this.topics = topics;
        this.pool = pool;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "world-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(
                List.of(
                        topics.workerAssignments().name(),
                        topics.chainCommands().name(),
                        topics.jobStatus().name(),
                        topics.workerStatus().name()));
        thread = new Thread(this::run, "simulated-world");
    }

    void start(int workerCount, long capacity) {
        for (int i = 0; i < workerCount; i++) {
            String hex = Integer.toHexString(5_000 + i);
            NodeIdentity w =
                    NodeIdentity.fromPrivateKey("0x" + "0".repeat(64 - hex.length()) + hex);
            workers.add(w);
            long now = System.currentTimeMillis();
            send(
                    topics.workerEvents(),
                    w.address(),
                    workerEvent(
                            w.address(),
                            WorkerRegistered.newBuilder()
                                    .setPowerCapacity(capacity)
                                    .setDevice("cpu")
                                    .setUrl("http://sim-" + i + ":3000")
                                    .setSignedAt(Instant.ofEpochMilli(now))
                                    .setSignature(Signatures.signTimestamp(w, now))
                                    .build()));
        }
        producer.flush();
        thread.start();
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
        producer.flush();
        return jobId;
    }

    private void run() {
        long nextHeartbeat = 0;
        while (running) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                dispatch(r);
            }
            if (System.currentTimeMillis() >= nextHeartbeat) {
                simulated.heartbeats(workers);
                nextHeartbeat = System.currentTimeMillis() + 1_000;
            }
            producer.flush();
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> r) {
        String topic = r.topic();
        if (topic.equals(topics.workerAssignments().name())) {
            simulated.onAssignment(RawTopics.decode(topics.workerAssignments(), r));
        } else if (topic.equals(topics.chainCommands().name())) {
            ChainCommand command = RawTopics.decode(topics.chainCommands(), r);
            commands.add(command);
            onCommand(command);
        } else if (topic.equals(topics.jobStatus().name())) {
            JobView view = RawTopics.decode(topics.jobStatus(), r);
            jobs.put(view.getJobId(), view);
        } else {
            workerViews.add(RawTopics.decode(topics.workerStatus(), r));
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
        send(
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

    WorkerEvent workerEvent(String worker, Object payload) {
        return WorkerEvent.newBuilder()
                .setWorker(worker)
                .setPool(pool)
                .setAt(Instant.now())
                .setPayload(payload)
                .build();
    }

    <V> void send(Topic<String, V> topic, String key, V value) {
        RawTopics.send(producer, topic, key, value);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
        consumer.close();
        producer.close();
    }
}
