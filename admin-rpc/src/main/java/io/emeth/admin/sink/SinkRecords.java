package io.emeth.admin.sink;

import io.emeth.admin.db.Dialect;
import io.emeth.admin.db.SinkSchema;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteException;

/**
 * Turns one poll of raw records into database writes: decodes each value with its topic's Avro
 * serde, projects it ({@link Projections}) and writes the rows and the partitions' next offsets
 * through a {@link SinkWriter}.
 *
 * <p>A record is bad only when it is itself at fault: its bytes do not decode although the schema
 * registry answers, it violates the schema, or the database refuses its rows for their data. A bad
 * record goes to {@code sink_rejects} (with its raw bytes and the error) in the same transaction,
 * and its offset advances. Anything else, above all a registry that cannot be reached or answers
 * 5xx, is a {@link TransientSinkException}: the batch is rolled back and retried, no offset moves.
 */
final class SinkRecords {
    private static final Logger log = LoggerFactory.getLogger(SinkRecords.class);

    /** Decodes and projects the raw value of one topic. */
    @FunctionalInterface
    private interface Handler {
        List<RowChange> project(String topic, String key, byte[] value);
    }

    private final Map<String, Handler> handlers = new LinkedHashMap<>();
    private final Map<String, Counter> applied = new HashMap<>();
    private final Map<String, Counter> rejected = new HashMap<>();
    private final Counter skipped;

    SinkRecords(Topics topics, Projections projections, MeterRegistry meters) {
        handle(topics.jobStatus(), projections::jobView, meters);
        handle(topics.workerStatus(), projections::workerView, meters);
        handle(topics.trainingEvents(), projections::trainingEvent, meters);
        skipped = meters.counter("emeth_sink_records_already_applied");
    }

    private <V> void handle(
            Topic<String, V> topic,
            java.util.function.BiFunction<String, V, List<RowChange>> projection,
            MeterRegistry meters) {
        handlers.put(
                topic.name(),
                (name, key, value) ->
                        projection.apply(
                                key,
                                value == null
                                        ? null
                                        : topic.valueSerde()
                                                .deserializer()
                                                .deserialize(name, value)));
        String kind = topic.name();
        applied.put(kind, meters.counter("emeth_sink_records_applied", "topic", kind));
        rejected.put(kind, meters.counter("emeth_sink_records_rejected", "topic", kind));
    }

    List<String> topicNames() {
        return List.copyOf(handlers.keySet());
    }

    /**
     * Writes every record of the poll and the next offset of each partition.
     *
     * @param isolated apply each record under its own savepoint, skipping one the database refuses
     *     for its data (used after a batch failed while the database answered)
     * @return the next offset of each partition
     */
    Map<TopicPartition, Long> write(
            Connection connection,
            Dialect dialect,
            ConsumerRecords<byte[], byte[]> polled,
            boolean isolated)
            throws SQLException {
        Map<TopicPartition, Long> next = new HashMap<>();
        try (SinkWriter writer = new SinkWriter(connection, dialect)) {
            Map<TopicPartition, Long> stored = storedOffsets(writer, polled);
            for (ConsumerRecord<byte[], byte[]> record : polled) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                Long done = stored.get(partition);
                if (done != null && record.offset() < done) {
                    // already applied (by this sink before a rewind, or by another instance)
                    skipped.increment();
                    continue;
                }
                List<RowChange> rows = project(writer, record);
                if (rows != null && !rows.isEmpty()) {
                    if (!isolated) {
                        writer.apply(rows);
                        applied.get(record.topic()).increment();
                    } else {
                        applyIsolated(writer, record, rows);
                    }
                }
                next.put(partition, record.offset() + 1);
            }
            for (Map.Entry<TopicPartition, Long> entry : next.entrySet()) {
                writer.storeOffset(
                        entry.getKey().topic(), entry.getKey().partition(), entry.getValue());
            }
        }
        return next;
    }

    /** The offsets stored for the poll's partitions, read (and locked) in the transaction. */
    private static Map<TopicPartition, Long> storedOffsets(
            SinkWriter writer, ConsumerRecords<byte[], byte[]> polled) throws SQLException {
        Map<TopicPartition, Long> stored = new HashMap<>();
        for (String topic :
                // one lock order for every sink, so that two sinks wait instead of deadlocking
                polled.partitions().stream()
                        .map(TopicPartition::topic)
                        .distinct()
                        .sorted()
                        .toList()) {
            writer.lockOffsets(topic)
                    .forEach((p, o) -> stored.put(new TopicPartition(topic, p), o));
        }
        return stored;
    }

    private void applyIsolated(
            SinkWriter writer, ConsumerRecord<byte[], byte[]> record, List<RowChange> rows)
            throws SQLException {
        try {
            writer.applyIsolated(rows);
            applied.get(record.topic()).increment();
        } catch (SQLException e) {
            if (!isRecordFault(e)) {
                throw e;
            }
            reject(writer, record, "the database refused its rows: " + e.getMessage());
        }
    }

    /**
     * The record's rows, or null when it is bad (then it is recorded in {@code sink_rejects}).
     *
     * @throws TransientSinkException when it could not be decoded for a passing reason
     */
    private List<RowChange> project(SinkWriter writer, ConsumerRecord<byte[], byte[]> record)
            throws SQLException {
        Handler handler = handlers.get(record.topic());
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        try {
            return handler.project(record.topic(), key, record.value());
        } catch (RuntimeException e) {
            if (TransientSinkException.isTransient(e)) {
                throw new TransientSinkException(
                        "cannot decode "
                                + record.topic()
                                + "/"
                                + record.partition()
                                + "@"
                                + record.offset()
                                + " now: "
                                + e.getMessage(),
                        e);
            }
            reject(writer, record, String.valueOf(e.getMessage()));
            return null;
        }
    }

    private void reject(SinkWriter writer, ConsumerRecord<byte[], byte[]> record, String reason)
            throws SQLException {
        writer.storeReject(
                record.topic(),
                record.partition(),
                record.offset(),
                Projections.cut(reason, SinkSchema.TEXT_LIMIT),
                record.key(),
                record.value());
        rejected.get(record.topic()).increment();
        log.warn(
                "JDBC sink rejected a record into sink_rejects [topic:{}, partition:{}, offset:{}]:"
                        + " {}",
                record.topic(),
                record.partition(),
                record.offset(),
                reason);
    }

    /**
     * Whether the database refused the record's data (a value out of range, a constraint), as
     * opposed to being unavailable, locked or full, which must stop the batch instead of losing the
     * record.
     */
    static boolean isRecordFault(SQLException e) {
        if (e instanceof SQLiteException sqlite) {
            return switch (sqlite.getResultCode().code & 0xff) {
                case 18, 19, 20, 25 -> true; // TOOBIG, CONSTRAINT, MISMATCH, RANGE
                default -> false;
            };
        }
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
