package io.emeth.chain.gateway;

import io.emeth.chain.ChainKafka;
import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes {@code chain-tx-results} in Kafka transactions: a {@code TxSent} on its own before the
 * transaction goes to the node (write-ahead, so a restarted gateway knows what it may have sent),
 * and a command's outcome together with the consumed command's offset, so an outcome is never
 * published without the command being done, nor the other way round.
 */
final class ResultPublisher implements AutoCloseable {
    /** Another gateway for the same account took over. */
    static final class FencedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FencedException(String id, Throwable cause) {
            super(
                    "gateway fenced: another gateway with id '" + id + "' started; this one stops",
                    cause);
        }
    }

    private final String transactionalId;
    private final Topic<String, ChainTxResult> topic;
    private final KafkaProducer<String, ChainTxResult> producer;

    private ResultPublisher(
            Map<String, Object> kafkaProperties,
            String transactionalId,
            Topic<String, ChainTxResult> topic) {
        this.transactionalId = transactionalId;
        this.topic = topic;
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        this.producer =
                new KafkaProducer<>(props, new StringSerializer(), topic.valueSerde().serializer());
    }

    /** Opens the producer; its {@code initTransactions} fences an older gateway of the account. */
    static ResultPublisher open(
            Map<String, Object> kafkaProperties,
            String transactionalId,
            Topic<String, ChainTxResult> topic) {
        ResultPublisher publisher = new ResultPublisher(kafkaProperties, transactionalId, topic);
        try {
            publisher.producer.initTransactions();
        } catch (RuntimeException e) {
            publisher.producer.close(Duration.ZERO);
            throw e;
        }
        return publisher;
    }

    /** Publishes results in a transaction of their own. */
    void publish(List<ChainTxResult> results) {
        inTransaction(results, null, null);
    }

    /** Publishes results and marks the command consumed, in one transaction. */
    void publishAndCommit(
            List<ChainTxResult> results,
            Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {
        inTransaction(results, offsets, group);
    }

    private void inTransaction(
            List<ChainTxResult> results,
            Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {
        ChainKafka.inTransaction(
                producer,
                () -> {
                    for (ChainTxResult result : results) {
                        producer.send(
                                new ProducerRecord<>(topic.name(), result.getCommandId(), result));
                    }
                    if (offsets != null) {
                        producer.sendOffsetsToTransaction(offsets, group);
                    }
                },
                e -> new FencedException(transactionalId, e));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
