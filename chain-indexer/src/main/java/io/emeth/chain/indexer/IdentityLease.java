package io.emeth.chain.indexer;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The indexer's claim to its identity: a static member (group.instance.id = the indexer id) of a
 * consumer group of its own on the checkpoint topic. A second instance with the same id joins as
 * that member before it initialises the transactional id, and the coordinator fences the first
 * one's membership at once.
 *
 * <p>Why it exists: the transactional producer does not always learn that it was fenced. When the
 * new instance's {@code initTransactions} races the old one's commit, Kafka 4.1's coordinator can
 * answer the commit with UNKNOWN_SERVER_ERROR ("already a pending state PREPARE_EPOCH_FENCE")
 * instead of a fence; the old producer is then unusable, and a new one would fence the new
 * instance. {@link #verify} asks the group coordinator, synchronously, whether this instance still
 * holds the id before the indexer initialises a producer again.
 */
final class IdentityLease implements AutoCloseable {
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration JOIN_POLL = Duration.ofMillis(10);

    private final KafkaConsumer<byte[], byte[]> consumer;

    private IdentityLease(KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /**
     * Joins the lease group of {@code identity} on {@code topic} and waits for its partitions.
     *
     * @throws IllegalStateException when the group gives no partition within a minute
     * @throws FencedInstanceIdException when another instance took the identity meanwhile
     */
    static IdentityLease acquire(
            Map<String, Object> kafkaProperties, String identity, String topic) {
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, identity + ".lease");
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, identity);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, identity + "-lease");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // nothing is read: the records of the checkpoint topic are the sink's business
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000);
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plus(JOIN_TIMEOUT);
            while (consumer.assignment().isEmpty()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(
                            "the lease group '"
                                    + identity
                                    + ".lease' gave this indexer no partition of "
                                    + topic
                                    + " within "
                                    + JOIN_TIMEOUT.toSeconds()
                                    + " s");
                }
                // short polls: a poll returns only at its timeout once the group is joined (the
                // lease reads nothing), and the indexer waits for this join before it starts
                consumer.poll(JOIN_POLL);
            }
            consumer.pause(consumer.assignment());
            return new IdentityLease(consumer);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Keeps the membership alive; throws {@link FencedInstanceIdException} once taken over. */
    void keepAlive() {
        consumer.poll(Duration.ZERO);
    }

    /**
     * Asks the group coordinator whether this instance still holds the identity, by committing the
     * lease group's positions as its member.
     *
     * @throws FencedInstanceIdException when another instance took the identity over
     */
    void verify() {
        consumer.poll(Duration.ZERO);
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        for (TopicPartition tp : assigned) {
            positions.put(tp, new OffsetAndMetadata(consumer.position(tp)));
        }
        consumer.commitSync(positions);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
