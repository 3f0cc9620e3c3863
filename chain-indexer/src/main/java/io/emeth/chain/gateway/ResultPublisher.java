package io.emeth.chain.gateway;

import io.emeth.chain.ChainKafka;
import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.TxJournal;
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
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes {@code chain-tx-journal} and {@code chain-tx-results} in Kafka transactions: a signed
 * transaction's journal entry with its {@code TxSent} before the transaction goes to the node
 * (write-ahead, so a restarted gateway knows what it may have sent), and a command's outcome with
 * its final journal entry and the consumed command's offset, so an outcome is never published
 * without the command being done, nor the other way round.
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
    private final Topic<String, TxJournal> journal;
    private final KafkaProducer<String, Object> producer;

    private ResultPublisher(
            Map<String, Object> kafkaProperties,
            String transactionalId,
            Topic<String, ChainTxResult> topic,
            Topic<String, TxJournal> journal) {
        this.transactionalId = transactionalId;
        this.topic = topic;
        this.journal = journal;
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new RecordSerializer());
    }

    /** Opens the producer; its {@code initTransactions} fences an older gateway of the account. */
    static ResultPublisher open(
            Map<String, Object> kafkaProperties,
            String transactionalId,
            Topic<String, ChainTxResult> topic,
            Topic<String, TxJournal> journal) {
        ResultPublisher publisher =
                new ResultPublisher(kafkaProperties, transactionalId, topic, journal);
        try {
            publisher.producer.initTransactions();
        } catch (RuntimeException e) {
            publisher.producer.close(Duration.ZERO);
            throw e;
        }
        return publisher;
    }

    /** Journals a command's entry and publishes its results, in a transaction of their own. */
    void journal(List<TxJournal> entries, List<ChainTxResult> results) {
        inTransaction(entries, results, null, null);
    }

    /**
     * Publishes results, the commands' final journal entries and marks the commands consumed, in
     * one transaction.
     */
    void publishAndCommit(
            List<TxJournal> entries,
            List<ChainTxResult> results,
            Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {
        inTransaction(entries, results, offsets, group);
    }

    private void inTransaction(
            List<TxJournal> entries,
            List<ChainTxResult> results,
            Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {
        ChainKafka.inTransaction(
                producer,
                () -> {
                    for (TxJournal entry : entries) {
                        producer.send(
                                new ProducerRecord<>(journal.name(), entry.getCommandId(), entry));
                    }
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

    /** One producer, two topics: each value goes through its own topic's serde. */
    private final class RecordSerializer implements Serializer<Object> {
        private final Serializer<TxJournal> entries = journal.valueSerde().serializer();
        private final Serializer<ChainTxResult> results = topic.valueSerde().serializer();

        @Override
        public byte[] serialize(String topicName, Object value) {
            if (value instanceof TxJournal entry) {
                return entries.serialize(topicName, entry);
            }
            return results.serialize(topicName, (ChainTxResult) value);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
