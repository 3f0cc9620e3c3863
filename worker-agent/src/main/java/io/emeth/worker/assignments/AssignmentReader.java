package io.emeth.worker.assignments;

import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this worker's assignments: only the partition of {@code worker-assignments} its address
 * maps to ({@code consumer.assign}, no group rebalancing), only the records keyed by its address.
 * Each record goes to the {@link Handler}; offsets are committed as {@link OffsetTracker} allows,
 * under the group {@code [prefix]emeth-worker-<address>}.
 *
 * <p>A worker with no committed offset starts at the end of the partition, positioned before it
 * registers, so it neither replays an old job nor misses its first assignment. A record that cannot
 * be read (unknown schema, garbage) is logged and skipped, never stopping the worker.
 */
public final class AssignmentReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AssignmentReader.class);
    private static final Duration POLL = Duration.ofMillis(250);

    /** Handles one assignment; the stage completes when the record may be committed past. */
    @FunctionalInterface
    public interface Handler {
        CompletionStage<Void> handle(ConsumerRecord<String, WorkerAssignment> record);
    }

    private final KafkaConsumer<String, WorkerAssignment> consumer;
    private final Topic<String, WorkerAssignment> topic;
    private final String address;
    private final Handler handler;
    private final Consumer<Throwable> onFatal;
    private final OffsetTracker tracker = new OffsetTracker();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile long lastPollMs = System.currentTimeMillis();
    private TopicPartition partition;
    private long committed = -1;
    private Thread thread;

    public AssignmentReader(
            Map<String, Object> kafkaProperties,
            Topic<String, WorkerAssignment> topic,
            String groupPrefix,
            String address,
            Handler handler,
            Consumer<Throwable> onFatal) {
        this.onFatal = onFatal;
        this.topic = topic;
        this.address = address;
        this.handler = handler;
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(groupPrefix, address));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "emeth-worker-assignments-" + address);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        this.consumer =
                new KafkaConsumer<>(
                        props, new StringDeserializer(), topic.valueSerde().deserializer());
    }

    /** The consumer group that holds a worker's committed assignment offset. */
    public static String groupId(String prefix, String address) {
        return prefix + "emeth-worker-" + address;
    }

    /**
     * Assigns the worker's partition and fixes the position to read from; call before registering.
     *
     * @throws IllegalStateException naming the topic when it does not exist
     */
    public int position() {
        List<PartitionInfo> partitions =
                consumer.partitionsFor(topic.name(), Duration.ofSeconds(30));
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException(
                    "topic "
                            + topic.name()
                            + " does not exist; create the pipeline's topics (emeth topics create)"
                            + " before starting workers");
        }
        partition = new TopicPartition(topic.name(), KeyPartition.of(address, partitions.size()));
        consumer.assign(List.of(partition));
        OffsetAndMetadata offset =
                consumer.committed(java.util.Set.of(partition), Duration.ofSeconds(30))
                        .get(partition);
        if (offset == null) {
            consumer.seekToEnd(List.of(partition));
        } else {
            consumer.seek(partition, offset.offset());
        }
        long position = consumer.position(partition, Duration.ofSeconds(30));
        tracker.startAt(position);
        commit(position);
        log.info(
                "Reading assignments [topic:{}, partition:{}, from:{}, resumed:{}]",
                topic.name(),
                partition.partition(),
                position,
                offset != null);
        return partition.partition();
    }

    /** Starts reading on a thread of its own (after {@link #position()}). */
    public synchronized void start() {
        thread = new Thread(this::run, "worker-assignments-" + address.substring(0, 10));
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                pollOnce();
                tracker.commitPosition().ifPresent(this::commitQuietly);
            }
        } catch (WakeupException e) {
            if (running) {
                onFatal.accept(e);
            }
        } catch (RuntimeException e) {
            log.error("Assignment reader stopped [worker:{}]", address, e);
            onFatal.accept(e);
        } finally {
            tracker.commitPosition().ifPresent(this::commitQuietly);
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            stopped.countDown();
        }
    }

    private void pollOnce() {
        try {
            for (ConsumerRecord<String, WorkerAssignment> record : consumer.poll(POLL)) {
                tracker.read(record.offset(), dispatch(record));
            }
            lastPollMs = System.currentTimeMillis();
        } catch (RecordDeserializationException e) {
            log.error(
                    "Skipped an unreadable assignment [partition:{}, offset:{}, error:{}]",
                    e.topicPartition(),
                    e.offset(),
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            tracker.read(e.offset(), CompletableFuture.completedFuture(null));
            consumer.seek(e.topicPartition(), e.offset() + 1);
        }
    }

    private CompletionStage<Void> dispatch(ConsumerRecord<String, WorkerAssignment> record) {
        WorkerAssignment value = record.value();
        if (!address.equals(record.key()) || value == null) {
            return CompletableFuture.completedFuture(null); // another worker's, or a tombstone
        }
        try {
            return handler.handle(record);
        } catch (RuntimeException e) {
            log.error(
                    "Assignment handling failed [jobId:{}, offset:{}]",
                    value.getJobId(),
                    record.offset(),
                    e);
            return CompletableFuture.completedFuture(null);
        }
    }

    private void commit(long position) {
        if (position == committed) {
            return;
        }
        consumer.commitSync(
                Map.of(partition, new OffsetAndMetadata(position)), Duration.ofSeconds(30));
        committed = position;
    }

    private void commitQuietly(long position) {
        try {
            commit(position);
        } catch (KafkaException e) {
            log.warn(
                    "Could not commit the assignment position [position:{}, error:{}]",
                    position,
                    e.toString());
        }
    }

    /** Whether the reader polled within {@code maxAgeMs} (for the health check). */
    public boolean alive(long maxAgeMs) {
        return running && System.currentTimeMillis() - lastPollMs <= maxAgeMs;
    }

    /** Stops reading and commits what is handled. */
    @Override
    public void close() {
        running = false;
        synchronized (this) {
            if (thread == null) {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
                return;
            }
        }
        consumer.wakeup();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
