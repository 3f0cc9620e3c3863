package io.emeth.worker.presence;

import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.worker.assignments.KeyPartition;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows this worker's own row of the compacted {@code worker-status} topic (the master's view of
 * it) by reading only the partition its address maps to, from the beginning, with no consumer
 * group. Not thread-safe: the presence thread owns it.
 */
final class StatusWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusWatch.class);
    private static final Duration RETRY_ASSIGN = Duration.ofSeconds(30);

    private final KafkaConsumer<String, WorkerView> consumer;
    private final Topic<String, WorkerView> topic;
    private final String address;
    private TopicPartition partition;
    private WorkerView latest;
    private long nextAssignAttempt;

    StatusWatch(
            Map<String, Object> kafkaProperties, Topic<String, WorkerView> topic, String address) {
        this.topic = topic;
        this.address = address;
        this.nextAssignAttempt = System.nanoTime();
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "emeth-worker-status-" + address);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer =
                new KafkaConsumer<>(
                        props, new StringDeserializer(), topic.valueSerde().deserializer());
    }

    /**
     * Reads what arrived within {@code timeout}; the master's latest view of this worker, or null.
     */
    WorkerView poll(Duration timeout) {
        try {
            if (partition == null) {
                long now = System.nanoTime();
                if (now - nextAssignAttempt < 0) {
                    return latest;
                }
                if (!assign()) {
                    // look for the topic again in a while, never blocking every heartbeat
                    nextAssignAttempt = now + RETRY_ASSIGN.toNanos();
                    return latest;
                }
            }
            for (ConsumerRecord<String, WorkerView> record : consumer.poll(timeout)) {
                if (address.equals(record.key()) && record.value() != null) {
                    latest = record.value();
                }
            }
        } catch (RecordDeserializationException e) {
            log.warn(
                    "Skipped an unreadable worker-status record [partition:{}, offset:{}, error:{}]",
                    e.topicPartition(),
                    e.offset(),
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
        } catch (KafkaException e) {
            log.warn(
                    "Could not read worker-status [topic:{}, error:{}]",
                    topic.name(),
                    e.toString());
        }
        return latest;
    }

    private boolean assign() {
        List<PartitionInfo> partitions =
                consumer.partitionsFor(topic.name(), Duration.ofSeconds(2));
        if (partitions == null || partitions.isEmpty()) {
            return false; // no master has created it yet; the periodic refresh still runs
        }
        partition = new TopicPartition(topic.name(), KeyPartition.of(address, partitions.size()));
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        log.info(
                "Watching the master's view of this worker [topic:{}, partition:{}]",
                topic.name(),
                partition.partition());
        return true;
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
