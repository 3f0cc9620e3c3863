package io.emeth.e2e.support;

import io.emeth.master.testing.RawTopics;
import io.emeth.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the pipeline's topics as its consumers do (read_committed, from the beginning) on a thread
 * of its own, so that a drill can wait for a phase of a job (a command issued, a round opened)
 * instead of sleeping, and count what was committed at the end.
 */
public final class TopicRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicRecorder.class);

    private final Map<String, Topic<String, ?>> topics = new ConcurrentHashMap<>();
    private final Map<String, List<Object>> values = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> timestamps = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;

    private TopicRecorder(String bootstrapServers, List<Topic<String, ?>> watched) {
        this.consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers,
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed",
                                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                false),
                        new StringDeserializer(),
                        new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic<String, ?> topic : watched) {
            topics.put(topic.name(), topic);
            values.put(topic.name(), new CopyOnWriteArrayList<>());
            timestamps.put(topic.name(), new CopyOnWriteArrayList<>());
            consumer.partitionsFor(topic.name())
                    .forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::run, "topic-recorder");
        thread.setDaemon(true);
    }

    /** Starts recording {@code watched} from their beginning. */
    public static TopicRecorder start(String bootstrapServers, List<Topic<String, ?>> watched) {
        TopicRecorder recorder = new TopicRecorder(bootstrapServers, watched);
        recorder.thread.start();
        return recorder;
    }

    /** Every committed value of {@code topic} read so far, in partition order. */
    @SuppressWarnings("unchecked")
    public <V> List<V> values(Topic<String, V> topic) {
        List<Object> seen = values.get(topic.name());
        if (seen == null) {
            throw new IllegalArgumentException(topic.name() + " is not recorded");
        }
        return (List<V>) List.copyOf(seen);
    }

    /** The values of {@code topic} that match. */
    public <V> List<V> values(Topic<String, V> topic, Predicate<? super V> matching) {
        return values(topic).stream().filter(matching).toList();
    }

    /** Whether {@code topic} holds a value that matches. */
    public <V> boolean seen(Topic<String, V> topic, Predicate<? super V> matching) {
        return values(topic).stream().anyMatch(matching);
    }

    /**
     * The timestamp (the producer's create time, epoch ms) of the first value of {@code topic}
     * written at or after {@code fromMs} that matches, if one was read.
     */
    public <V> Optional<Long> firstAt(
            Topic<String, V> topic, long fromMs, Predicate<? super V> matching) {
        List<V> seen = values(topic);
        List<Long> times = timestamps.get(topic.name());
        long first = Long.MAX_VALUE;
        for (int i = 0; i < Math.min(seen.size(), times.size()); i++) {
            long t = times.get(i);
            if (t >= fromMs && t < first && matching.test(seen.get(i))) {
                first = t;
            }
        }
        return first == Long.MAX_VALUE ? Optional.empty() : Optional.of(first);
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    record(r);
                }
            }
        } catch (WakeupException stopping) {
            // close(): the poll under way, or the next one, throws this
        } finally {
            consumer.close();
        }
    }

    private void record(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return; // a tombstone of a compacted view
        }
        try {
            Object value = RawTopics.decode(topics.get(r.topic()), r);
            synchronized (this) {
                timestamps.get(r.topic()).add(r.timestamp());
                values.get(r.topic()).add(value);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Could not decode a record [topic:{}, partition:{}, offset:{}]: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
