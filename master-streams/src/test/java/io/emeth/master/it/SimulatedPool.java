package io.emeth.master.it;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.testing.RawTopics;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * {@link SimulatedWorkers} on a master's real topics, driven by one thread: it reads {@code
 * worker-assignments} (read_committed) and hands them to the workers, heartbeats for them every
 * second, and hands the records of any other topic it is asked to read to a listener. {@link
 * SimulatedWorld} puts a simulated chain on top of it; the end-to-end drills run it beside a real
 * chain, to check matching and processing without training.
 */
public final class SimulatedPool implements SimulatedWorkers.Link, AutoCloseable {
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private final Topics topics;
    private final String pool;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Consumer<ConsumerRecord<String, byte[]>> others;
    private final SimulatedWorkers workers = new SimulatedWorkers(this);
    private final Thread thread;
    private volatile boolean running = true;

    /** Workers of {@code pool} only. */
    public SimulatedPool(String bootstrap, Topics topics, String pool) {
        this(bootstrap, topics, pool, List.of(), r -> {});
    }

    /**
     * Workers of {@code pool}, and a reader of {@code otherTopics} whose records go to {@code
     * others} on the pool's thread.
     */
    public SimulatedPool(
            String bootstrap,
            Topics topics,
            String pool,
            List<String> otherTopics,
            Consumer<ConsumerRecord<String, byte[]>> others) {
        this.topics = topics;
        this.pool = pool;
        this.others = others;
        producer = RawTopics.producer(bootstrap, Map.of());
        consumer = RawTopics.consumer(bootstrap, "simulated-pool", Map.of());
        List<String> read = new ArrayList<>(otherTopics);
        read.add(topics.workerAssignments().name());
        consumer.subscribe(read);
        thread = new Thread(this::run, "simulated-pool");
        thread.setDaemon(true);
    }

    /** Registers {@code count} workers of {@code capacity} and starts the pool's thread. */
    public void start(int count, long capacity) {
        workers.register(count, capacity);
        producer.flush();
        thread.start();
    }

    /** The simulated workers' keys, in registration order. */
    public List<NodeIdentity> workers() {
        return workers.workers();
    }

    /** The simulated workers, to read what they were told (thread-safe readers only). */
    public SimulatedWorkers simulatedWorkers() {
        return workers;
    }

    private void run() {
        long nextHeartbeat = 0;
        while (running) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.topic().equals(topics.workerAssignments().name())) {
                    workers.onAssignment(RawTopics.decode(topics.workerAssignments(), r));
                } else {
                    others.accept(r);
                }
            }
            if (System.currentTimeMillis() >= nextHeartbeat) {
                workers.heartbeats();
                nextHeartbeat = System.currentTimeMillis() + HEARTBEAT.toMillis();
            }
            producer.flush();
        }
    }

    @Override
    public Topics topics() {
        return topics;
    }

    @Override
    public String pool() {
        return pool;
    }

    @Override
    public <V> void send(Topic<String, V> topic, String key, V value) {
        RawTopics.send(producer, topic, key, value);
    }

    /** Sends whatever was sent from another thread now. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
        consumer.close();
        producer.close();
    }
}
