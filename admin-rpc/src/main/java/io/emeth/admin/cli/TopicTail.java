package io.emeth.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.admin.NodeTopics;
import io.emeth.common.config.KafkaSettings;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code emeth topics tail <topic>}: prints a topic's records as JSON lines, Avro decoded through
 * the registry ({@link AvroJson}), the inspection tool Confluent's console consumer would be. Each
 * line: {@code {"topic", "partition", "offset", "timestamp", "key", "value"}}; a record that does
 * not decode is printed with {@code "error"} instead of {@code "value"}, never stopping the tail.
 *
 * <p>Reads without a consumer group (nothing is committed) and read_committed, so it shows what the
 * pipeline's consumers see.
 */
public final class TopicTail {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * What to print.
     *
     * @param last records per partition before the end to start at (ignored with fromBeginning)
     * @param fromBeginning start at each partition's first record
     * @param follow keep printing new records until {@code keepGoing} says stop
     */
    public record Options(int last, boolean fromBeginning, boolean follow) {
        public Options {
            if (last < 0) {
                throw new IllegalArgumentException(
                        "the number of records must not be negative: " + last);
            }
        }

        /** The last 10 records of each partition, then stop. */
        public static Options defaults() {
            return new Options(10, false, false);
        }
    }

    private TopicTail() {}

    /** Tails {@code topic} of the node's cluster until done (or, following, interrupted). */
    public static int run(KafkaSettings kafka, String topic, Options options, PrintStream out) {
        return run(kafka, "", topic, options, () -> !Thread.currentThread().isInterrupted(), out);
    }

    /**
     * Tails {@code topic} (a catalog name such as {@code job-status}, with or without {@code
     * topicPrefix}); returns the exit code.
     *
     * @throws IllegalArgumentException naming the topic when the catalog has no such topic, with
     *     the list of topics that exist
     */
    public static int run(
            KafkaSettings kafka,
            String topicPrefix,
            String topic,
            Options options,
            BooleanSupplier keepGoing,
            PrintStream out) {
        Topics topics = NodeTopics.create(kafka, topicPrefix);
        Topic<String, ?> chosen = find(topics, topicPrefix, topic);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = partitions(consumer, chosen.name());
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            for (TopicPartition p : partitions) {
                long start =
                        options.fromBeginning()
                                ? begin.get(p)
                                : Math.max(begin.get(p), end.get(p) - options.last());
                consumer.seek(p, start);
            }
            printBacklog(consumer, chosen, end, out);
            while (options.follow() && keepGoing.getAsBoolean()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    out.println(line(chosen, record));
                }
                out.flush();
            }
            return 0;
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Reads up to the end offsets taken at the start and prints them ordered by time. */
    private static void printBacklog(
            KafkaConsumer<byte[], byte[]> consumer,
            Topic<String, ?> topic,
            Map<TopicPartition, Long> end,
            PrintStream out) {
        List<ConsumerRecord<byte[], byte[]>> backlog = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(60);
        while (!reached(consumer, end) && Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset()
                        < end.get(new TopicPartition(record.topic(), record.partition()))) {
                    backlog.add(record);
                }
            }
        }
        backlog.sort(
                Comparator.comparingLong((ConsumerRecord<byte[], byte[]> r) -> r.timestamp())
                        .thenComparingInt(ConsumerRecord::partition)
                        .thenComparingLong(ConsumerRecord::offset));
        backlog.forEach(record -> out.println(line(topic, record)));
        out.flush();
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            // transaction markers take offsets too, so compare positions, not record counts
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** One JSON line for a record. */
    static String line(Topic<String, ?> topic, ConsumerRecord<byte[], byte[]> record) {
        ObjectNode line =
                JSON.createObjectNode()
                        .put("topic", record.topic())
                        .put("partition", record.partition())
                        .put("offset", record.offset())
                        .put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString())
                        .put(
                                "key",
                                record.key() == null
                                        ? null
                                        : new String(record.key(), StandardCharsets.UTF_8));
        try {
            Object value =
                    record.value() == null
                            ? null
                            : topic.valueSerde()
                                    .deserializer()
                                    .deserialize(record.topic(), record.value());
            JsonNode json =
                    value == null ? JSON.nullNode() : AvroJson.toJson((IndexedRecord) value);
            line.set("value", json);
        } catch (RuntimeException e) {
            line.put("error", "cannot decode: " + e.getMessage());
        }
        return line.toString();
    }

    private static Topic<String, ?> find(Topics topics, String prefix, String name) {
        Objects.requireNonNull(name, "topic");
        return topics.byName(name)
                .or(() -> topics.byName(prefix + name))
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "no topic '"
                                                + (name.length() > 80
                                                        ? name.substring(0, 77) + "..."
                                                        : name)
                                                + "' in the node's catalog; the topics are: "
                                                + String.join(
                                                        ", ",
                                                        topics.all().stream()
                                                                .map(Topic::name)
                                                                .toList())));
    }

    private static List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException(
                    "topic "
                            + topic
                            + " does not exist on the cluster; create it with emeth topics create");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        return partitions;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(KafkaSettings kafka) {
        Map<String, Object> config = new HashMap<>(kafka.properties());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(
                ConsumerConfig.CLIENT_ID_CONFIG,
                "emeth-topics-tail-" + ProcessHandle.current().pid());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(config);
    }
}
