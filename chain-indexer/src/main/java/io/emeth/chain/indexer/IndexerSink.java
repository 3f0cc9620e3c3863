package io.emeth.chain.indexer;

import io.emeth.chain.ChainKafka;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the indexer's output goes: one Kafka transaction per batch holding the events, the alerts
 * and the checkpoint, so that a crash leaves either all of a batch or none of it; a second indexer
 * with the same transactional id fences this one. Also reads the last committed checkpoint back at
 * start.
 *
 * <p>The checkpoint carries the hash window ({@code recentBlocks}: every confirmed block of the
 * last {@code reorg_window} blocks with the jobs that had events in it), so that a restarted
 * indexer can still find the fork point of a reorg and knows which jobs a rewind affects.
 * Checkpoints written before that field existed carried the hashes in the header {@value
 * #RECENT_BLOCKS_HEADER} ({@code number:hash;…}); it is still read when the field is empty.
 */
final class IndexerSink implements AutoCloseable {
    static final String RECENT_BLOCKS_HEADER = "emeth-recent-blocks";

    private static final Logger log = LoggerFactory.getLogger(IndexerSink.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** The checkpoint as stored: the tip and the hash window. */
    record Stored(BlockRef tip, List<RecordedBlock> recent) {}

    /** This indexer's transactional id was taken over by another instance. */
    static final class FencedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FencedException(String transactionalId, Throwable cause) {
            super(
                    "indexer fenced: another instance with transactional id '"
                            + transactionalId
                            + "' started; this one stops",
                    cause);
        }
    }

    private final Map<String, Object> kafkaProperties;
    private final String transactionalId;
    private final Topics topics;
    private final String contract;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<Emission.Kind, Topic<String, ?>> byKind;

    private IndexerSink(
            Map<String, Object> kafkaProperties,
            String transactionalId,
            Topics topics,
            String contract) {
        this.kafkaProperties = kafkaProperties;
        this.transactionalId = transactionalId;
        this.topics = topics;
        this.contract = contract;
        this.byKind =
                Map.of(
                        Emission.Kind.JOB_EVENT, topics.chainJobEvents(),
                        Emission.Kind.NODE_EVENT, topics.chainNodeEvents(),
                        Emission.Kind.ALERT, topics.chainAlerts());
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        this.producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Opens the transactional producer; its {@code initTransactions} fences any older instance with
     * the same id and aborts what that one left open.
     */
    static IndexerSink open(
            Map<String, Object> kafkaProperties,
            String transactionalId,
            Topics topics,
            String contract) {
        IndexerSink sink = new IndexerSink(kafkaProperties, transactionalId, topics, contract);
        try {
            sink.producer.initTransactions();
        } catch (RuntimeException e) {
            sink.producer.close(Duration.ZERO);
            throw e;
        }
        log.info("Indexer transactions ready [transactionalId:{}]", transactionalId);
        return sink;
    }

    /** The last committed checkpoint of this contract (read after {@link #open} fenced others). */
    Optional<Stored> readCheckpoint() {
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, transactionalId + "-checkpoint-reader");
        Topic<String, IndexerCheckpoint> topic = topics.indexerCheckpoints();
        IndexerCheckpoint last = null;
        String recent = null;
        try (KafkaConsumer<String, IndexerCheckpoint> consumer =
                new KafkaConsumer<>(
                        props,
                        topic.keySerde().deserializer(),
                        topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic.name(), READ_TIMEOUT).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read "
                                    + topic.name()
                                    + " to its end within "
                                    + READ_TIMEOUT.toSeconds()
                                    + " s");
                }
                for (ConsumerRecord<String, IndexerCheckpoint> r :
                        consumer.poll(Duration.ofMillis(200))) {
                    if (contract.equalsIgnoreCase(r.key()) && r.value() != null) {
                        last = r.value();
                        Header header = r.headers().lastHeader(RECENT_BLOCKS_HEADER);
                        recent =
                                header == null
                                        ? null
                                        : new String(header.value(), StandardCharsets.US_ASCII);
                    }
                }
            }
        }
        if (last == null) {
            return Optional.empty();
        }
        List<RecordedBlock> window =
                last.getRecentBlocks().isEmpty()
                        ? decodeRecent(recent).entrySet().stream()
                                .map(
                                        e ->
                                                new RecordedBlock(
                                                        e.getKey(),
                                                        Optional.of(e.getValue()),
                                                        List.of()))
                                .toList()
                        : last.getRecentBlocks().stream()
                                .filter(b -> b.getNumber() >= 0)
                                .map(
                                        b ->
                                                new RecordedBlock(
                                                        b.getNumber(),
                                                        Optional.of(b.getHash())
                                                                .filter(Hex::isWord),
                                                        b.getJobIds()))
                                .toList();
        return Optional.of(
                new Stored(new BlockRef(last.getBlockNumber(), last.getBlockHash()), window));
    }

    /**
     * Writes the emissions and the checkpoint (with its hash window) in one transaction.
     *
     * @throws FencedException when another instance took over the transactional id
     * @throws KafkaException when the transaction failed (it was aborted; nothing is visible)
     */
    void commit(List<Emission> emissions, IndexerCheckpoint checkpoint) {
        ChainKafka.inTransaction(
                producer,
                () -> {
                    for (Emission e : emissions) {
                        Topic<String, ?> topic = byKind.get(e.kind());
                        producer.send(
                                new ProducerRecord<>(
                                        topic.name(), e.key(), serialize(topic, e.value())));
                    }
                    Topic<String, IndexerCheckpoint> cp = topics.indexerCheckpoints();
                    ProducerRecord<String, byte[]> record =
                            new ProducerRecord<>(
                                    cp.name(),
                                    contract,
                                    cp.valueSerde().serializer().serialize(cp.name(), checkpoint));
                    producer.send(record);
                },
                e -> new FencedException(transactionalId, e));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /**
     * Parses the header form of the hash window ({@code number:hash;…}) that checkpoints before
     * {@code recentBlocks} carried; malformed entries are skipped.
     */
    static Map<Long, String> decodeRecent(String text) {
        Map<Long, String> recent = new TreeMap<>();
        if (text == null || text.isEmpty()) {
            return recent;
        }
        for (String entry : text.split(";")) {
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            try {
                long number = Long.parseLong(entry.substring(0, colon));
                String hash = entry.substring(colon + 1);
                if (number >= 0 && Hex.isWord(hash)) {
                    recent.put(number, Hex.lower(hash));
                }
            } catch (NumberFormatException e) {
                // skip: a damaged entry only narrows the fork search
            }
        }
        return recent;
    }

    @SuppressWarnings("unchecked")
    private static byte[] serialize(Topic<String, ?> topic, SpecificRecord value) {
        Serializer<SpecificRecord> serializer =
                (Serializer<SpecificRecord>) (Serializer<?>) topic.valueSerde().serializer();
        return serializer.serialize(topic.name(), value);
    }
}
