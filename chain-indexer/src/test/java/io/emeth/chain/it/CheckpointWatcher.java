package io.emeth.chain.it;

import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows the committed checkpoints of an indexer with one long-lived read_committed consumer, so
 * that a crash IT can kill the indexer within milliseconds of a given progress.
 */
public final class CheckpointWatcher implements AutoCloseable {
    private final KafkaConsumer<String, IndexerCheckpoint> consumer;
    private long block = -1;

    public CheckpointWatcher(Topic<String, IndexerCheckpoint> topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaFixture.kafka().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer =
                new KafkaConsumer<>(
                        props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        List<TopicPartition> partitions =
                consumer.partitionsFor(topic.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The latest committed checkpoint's block after a short poll; -1 before the first. */
    public long block() {
        for (ConsumerRecord<String, IndexerCheckpoint> r : consumer.poll(Duration.ofMillis(20))) {
            block = r.value().getBlockNumber();
        }
        return block;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
