package io.emeth.admin.sink;

import io.emeth.admin.db.Database;
import io.emeth.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC sink: consumes {@code job-status}, {@code worker-status} and {@code training-events}
 * (read_committed) and projects them into the database (see {@link Projections}).
 *
 * <p>Exactly once: each poll's records and the next offset of each of their partitions are written
 * in one database transaction; the consumer starts every partition at the offset stored in the
 * database, never at Kafka's, and inside the transaction locks and reads the stored offsets and
 * skips any record below them (each partition's offset row exists from its assignment on, so two
 * sinks on one database take turns). The Kafka commit that follows is only for lag monitoring, so a
 * crash between the two loses nothing and doubles nothing.
 *
 * <p>Nothing is skipped unseen: a record at fault (undecodable while the schema registry answers,
 * against the schema, refused by the database for its data) is written to {@code sink_rejects} with
 * its raw bytes in the batch's transaction ({@link SinkRecords}); every other failure (the registry
 * unreachable or answering 5xx, the database down or timing out) rolls the batch back and retries
 * it with back-off, up to {@value #MAX_BACKOFF_S} s apart, without moving an offset.
 */
public final class JdbcSink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JdbcSink.class);
    private static final int MAX_BACKOFF_S = 10;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(MAX_BACKOFF_S);

    private final Database database;
    private final SinkSettings settings;
    private final SinkRecords records;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final SinkStatus status = new SinkStatus();
    private final Counter batches;
    private final Counter failures;
    private final KafkaClientMetrics clientMetrics;
    private final SinkPositions positions;
    private volatile boolean running = true;
    private int batchNumber;

    private JdbcSink(
            Database database, Topics topics, SinkSettings settings, MeterRegistry meters) {
        this.database = database;
        this.settings = settings;
        this.records = new SinkRecords(topics, new Projections(settings.masterAddress()), meters);
        this.consumer = new KafkaConsumer<>(consumerConfig(settings));
        this.batches = meters.counter("emeth_sink_batches");
        this.failures = meters.counter("emeth_sink_batch_failures");
        this.positions = new SinkPositions(consumer, database, records.topicNames());
        this.clientMetrics = new KafkaClientMetrics(consumer);
        clientMetrics.bindTo(meters);
        status.bindTo(meters);
        this.thread = new Thread(this::run, "emeth-jdbc-sink");
    }

    /** Starts consuming on a thread of its own; the schema must be migrated already. */
    public static JdbcSink start(
            Database database, Topics topics, SinkSettings settings, MeterRegistry meters) {
        JdbcSink sink = new JdbcSink(database, topics, settings, meters);
        sink.thread.start();
        log.info(
                "JDBC sink started [database:{}, topics:{}, group:{}]",
                database,
                sink.records.topicNames(),
                settings.groupId());
        return sink;
    }

    /** What the health endpoint reports. */
    public SinkStatus status() {
        return status;
    }

    private void run() {
        try {
            Duration backoff = Duration.ofMillis(200);
            while (running) {
                ConsumerRecords<byte[], byte[]> polled = poll(backoff);
                if (polled == null) {
                    backoff = longer(backoff);
                    continue;
                }
                try {
                    if (positions.seekPending(polled)) {
                        continue;
                    }
                    if (polled.isEmpty()) {
                        continue;
                    }
                    Map<TopicPartition, Long> next = write(polled);
                    batches.increment();
                    settings.afterDatabaseCommit().accept(++batchNumber);
                    consumer.commitAsync(kafkaOffsets(next), null);
                    status.committed(polled.count());
                    backoff = Duration.ofMillis(200);
                } catch (SQLException | RuntimeException e) {
                    failures.increment();
                    status.failed(e);
                    log.warn(
                            "JDBC sink batch failed, retrying [database:{}, records:{}, backoff_ms:{}]:"
                                    + " {}",
                            database,
                            polled.count(),
                            backoff.toMillis(),
                            e.toString());
                    positions.rewind(polled);
                    pause(backoff);
                    backoff = longer(backoff);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            status.failed(e);
            log.error("JDBC sink stopped on an unexpected error [database:{}]", database, e);
        } finally {
            status.stopped();
            clientMetrics.close();
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            stopped.countDown();
        }
    }

    /**
     * Assigns and polls; null when Kafka failed (unreachable, topics missing, not authorised),
     * after logging it and waiting {@code backoff}, so that the sink keeps trying instead of dying.
     */
    private ConsumerRecords<byte[], byte[]> poll(Duration backoff) {
        try {
            positions.refreshAssignment();
            if (consumer.assignment().isEmpty()) {
                status.kafkaFailed("none of " + records.topicNames() + " exists");
                pause(settings.pollTimeout());
                return ConsumerRecords.empty();
            }
            ConsumerRecords<byte[], byte[]> polled = consumer.poll(settings.pollTimeout());
            status.polled();
            return polled;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            failures.increment();
            status.kafkaFailed(e.toString());
            log.warn(
                    "JDBC sink cannot read from Kafka, retrying [bootstrap:{}, backoff_ms:{}]: {}",
                    settings.bootstrapServers(),
                    backoff.toMillis(),
                    e.toString());
            positions.recheckAssignment();
            pause(backoff);
            return null;
        }
    }

    private static Duration longer(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }

    /** Writes the batch and its offsets in one transaction; returns the offsets. */
    private Map<TopicPartition, Long> write(ConsumerRecords<byte[], byte[]> polled)
            throws SQLException {
        try {
            return database.transaction(
                    connection -> records.write(connection, database.dialect(), polled, false));
        } catch (SQLException e) {
            if (!SinkRecords.isRecordFault(e) || !database.isReachable()) {
                throw e;
            }
            // the database answers, so a record is at fault: redo the batch one record at a time
            log.warn("JDBC sink batch refused, isolating the bad record [error:{}]", e.toString());
            return database.transaction(
                    connection -> records.write(connection, database.dialect(), polled, true));
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> kafkaOffsets(
            Map<TopicPartition, Long> next) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        next.forEach((p, o) -> offsets.put(p, new OffsetAndMetadata(o)));
        return offsets;
    }

    private void pause(Duration backoff) {
        try {
            if (stopRequested.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                running = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static Map<String, Object> consumerConfig(SinkSettings settings) {
        Map<String, Object> config = new HashMap<>(settings.kafkaProperties());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        config.put(
                ConsumerConfig.CLIENT_ID_CONFIG,
                settings.groupId() + "-" + ProcessHandle.current().pid());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    /** Stops consuming and waits for the current batch to finish. */
    @Override
    public void close() {
        running = false;
        stopRequested.countDown();
        consumer.wakeup();
        try {
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                log.warn("JDBC sink did not stop within 30 s [database:{}]", database);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info(
                "JDBC sink stopped [database:{}, batches:{}, at:{}]",
                database,
                batchNumber,
                Instant.now());
    }
}
