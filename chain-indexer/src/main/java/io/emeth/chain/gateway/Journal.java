package io.emeth.chain.gateway;

import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.gateway.TxJournal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's memory of every command of its account, loaded from the compacted {@code
 * chain-tx-journal} at start (after {@code initTransactions}, so an older gateway's open
 * transaction is settled) and kept current by the gateway itself, the journal's only writer for the
 * account. A command found here with an outcome is never executed again, at any age; one found with
 * transactions but no outcome is resumed from them.
 */
final class Journal {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, TxJournal> entries = new HashMap<>();

    /** Reads {@code topic} from the start to its end (read_committed): the account's entries. */
    static Journal load(
            Map<String, Object> kafkaProperties,
            String clientId,
            Topic<String, TxJournal> topic,
            String account) {
        Journal journal = new Journal();
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-journal");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        long started = System.nanoTime();
        long records = 0;
        try (KafkaConsumer<String, TxJournal> consumer =
                new KafkaConsumer<>(
                        props,
                        topic.keySerde().deserializer(),
                        topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic.name(), TIMEOUT).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic.name() + " to its end within " + TIMEOUT);
                }
                var batch = consumer.poll(Duration.ofMillis(200));
                if (!batch.isEmpty()) {
                    deadline = System.nanoTime() + TIMEOUT.toNanos(); // progress: wait again
                }
                for (ConsumerRecord<String, TxJournal> r : batch) {
                    records++;
                    if (r.value() == null) {
                        journal.entries.remove(r.key());
                    } else if (account.equalsIgnoreCase(r.value().getAccount())) {
                        journal.entries.put(r.key(), r.value());
                    }
                }
            }
        }
        log.info(
                "Journal loaded [account:{}, commands:{}, records:{}, ms:{}]",
                account,
                journal.entries.size(),
                records,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        return journal;
    }

    Optional<TxJournal> get(String commandId) {
        return Optional.ofNullable(entries.get(commandId));
    }

    /** Records an entry the gateway committed to the topic. */
    void put(TxJournal entry) {
        entries.put(entry.getCommandId(), entry);
    }

    int size() {
        return entries.size();
    }
}
