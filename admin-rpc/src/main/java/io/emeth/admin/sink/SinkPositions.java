package io.emeth.admin.sink;

import io.emeth.admin.db.Database;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the sink's consumer reads: it assigns itself every partition of the sink's topics (no group
 * membership: the offsets live in the database, and a rebalance would only delay a restarted sink
 * by the dead one's session timeout) and starts each partition at the offset stored in the
 * database, from the beginning when none is stored. On assignment it creates each partition's
 * offset row (at 0) if missing, so that every batch, the first included, locks an existing row and
 * two sinks on one database take turns instead of both applying their first batch. Used by the sink
 * thread only.
 */
final class SinkPositions {
    private static final Logger log = LoggerFactory.getLogger(SinkPositions.class);
    private static final Duration ASSIGNMENT_CHECK = Duration.ofMinutes(1);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Database database;
    private final List<String> topics;
    // partitions to seek to their stored offsets before their next batch
    private final Set<TopicPartition> pendingSeek = new HashSet<>();
    private Instant lastAssignmentCheck;

    SinkPositions(KafkaConsumer<byte[], byte[]> consumer, Database database, List<String> topics) {
        this.consumer = consumer;
        this.database = database;
        this.topics = List.copyOf(topics);
    }

    /** Makes the next {@link #refreshAssignment()} look at the topics again. */
    void recheckAssignment() {
        lastAssignmentCheck = null;
    }

    /**
     * Seeks newly assigned partitions to the offsets stored in the database. Records fetched before
     * the seek came from Kafka's positions, so the whole poll is dropped and re-read.
     *
     * @return whether the poll was dropped
     */
    boolean seekPending(ConsumerRecords<byte[], byte[]> polled) throws SQLException {
        pendingSeek.retainAll(consumer.assignment());
        if (pendingSeek.isEmpty()) {
            return false;
        }
        Map<TopicPartition, Long> stored = storedOffsets(pendingSeek);
        rewind(polled);
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition partition : pendingSeek) {
            Long offset = stored.get(partition);
            if (offset == null || offset == 0) {
                fromStart.add(partition);
            } else {
                consumer.seek(partition, offset);
            }
        }
        consumer.seekToBeginning(fromStart);
        log.info(
                "JDBC sink resumed from its stored offsets [partitions:{}, stored:{}, from_start:{}]",
                pendingSeek.size(),
                stored,
                fromStart.size());
        pendingSeek.clear();
        return true;
    }

    /**
     * Creates the missing offset rows of {@code partitions} (see {@link
     * SinkWriter#createOffsetRows}), then reads their stored offsets.
     */
    private Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions)
            throws SQLException {
        Map<String, List<Integer>> byTopic = new HashMap<>();
        partitions.forEach(
                p -> byTopic.computeIfAbsent(p.topic(), t -> new ArrayList<>()).add(p.partition()));
        return database.transaction(
                connection -> {
                    SinkWriter.createOffsetRows(connection, database.dialect(), byTopic);
                    Map<TopicPartition, Long> offsets = new HashMap<>();
                    for (String topic : byTopic.keySet()) {
                        SinkWriter.offsets(connection, topic)
                                .forEach((p, o) -> offsets.put(new TopicPartition(topic, p), o));
                    }
                    offsets.keySet().retainAll(partitions);
                    return offsets;
                });
    }

    /** Moves each partition of the poll back to its first record, to read the batch again. */
    void rewind(ConsumerRecords<byte[], byte[]> polled) {
        for (TopicPartition partition : polled.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = polled.records(partition);
            if (!list.isEmpty() && consumer.assignment().contains(partition)) {
                consumer.seek(partition, list.get(0).offset());
            }
        }
    }

    /**
     * Assigns every partition of the sink's topics, at start and when partitions are added (checked
     * every minute); new ones are sought to their stored offsets before their first batch. The sink
     * assigns instead of subscribing: its offsets live in the database, and a group rebalance would
     * only delay a restarted sink by the dead one's session timeout.
     */
    void refreshAssignment() {
        Instant now = Instant.now();
        if (lastAssignmentCheck != null
                && Duration.between(lastAssignmentCheck, now).compareTo(ASSIGNMENT_CHECK) < 0) {
            return;
        }
        lastAssignmentCheck = now;
        Set<TopicPartition> partitions = new HashSet<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                log.warn(
                        "JDBC sink: topic {} does not exist yet; create it with emeth topics create",
                        topic);
                lastAssignmentCheck = now.minus(ASSIGNMENT_CHECK).plusSeconds(5);
                continue;
            }
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        if (!partitions.equals(consumer.assignment())) {
            Set<TopicPartition> added = new HashSet<>(partitions);
            added.removeAll(consumer.assignment());
            consumer.assign(partitions);
            pendingSeek.addAll(added);
            log.info("JDBC sink assigned [partitions:{}, new:{}]", partitions.size(), added.size());
        }
    }
}
