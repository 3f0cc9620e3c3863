package io.emeth.chain.gateway;

import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * What the gateway already did for a command id, read back from {@code chain-tx-results}: the
 * partition the id hashes to, from shortly before the command was issued to the end. This is the
 * gateway's memory across crashes: no local state, only the topic.
 */
final class ResultHistory implements AutoCloseable {
    /** Clock skew tolerated between the command's issuer and this gateway. */
    static final Duration SLACK = Duration.ofMinutes(10);

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Topic<String, ChainTxResult> topic;
    private final KafkaConsumer<String, ChainTxResult> consumer;
    private int partitions = -1;

    ResultHistory(
            Map<String, Object> kafkaProperties,
            String clientId,
            Topic<String, ChainTxResult> topic) {
        this.topic = topic;
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-history");
        this.consumer =
                new KafkaConsumer<>(
                        props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    /** Every committed result of {@code commandId} written since {@code sinceMillis} − slack. */
    List<ChainTxResult> of(String commandId, long sinceMillis) {
        TopicPartition tp = new TopicPartition(topic.name(), partitionOf(commandId));
        consumer.assign(List.of(tp));
        long from = Math.max(0, sinceMillis - SLACK.toMillis());
        OffsetAndTimestamp start = consumer.offsetsForTimes(Map.of(tp, from), TIMEOUT).get(tp);
        long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
        List<ChainTxResult> found = new ArrayList<>();
        if (start == null) {
            return found; // nothing written since then
        }
        consumer.seek(tp, start.offset());
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (consumer.position(tp, TIMEOUT) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + tp + " to offset " + end);
            }
            for (ConsumerRecord<String, ChainTxResult> r : consumer.poll(Duration.ofMillis(100))) {
                if (commandId.equals(r.key()) && r.value() != null) {
                    found.add(r.value());
                }
            }
        }
        return found;
    }

    /** The partition Kafka's default partitioner puts the key in. */
    private int partitionOf(String key) {
        if (partitions < 0) {
            partitions = consumer.partitionsFor(topic.name(), TIMEOUT).size();
        }
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
