package io.emeth.registry;

import io.emeth.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's durable store: a one-partition compacted topic read from the beginning on start
 * and then followed by a reader thread that hands every record to the applier, as Confluent's
 * registry does. A write is produced in a Kafka transaction and returns only once the reader has
 * applied it, so the state answering requests always includes it.
 *
 * <p>The transactional id is derived from the topic: a newer registry on the same topic fences this
 * one, whose writes then fail instead of assigning an id twice.
 */
final class KafkaSchemaLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaSchemaLog.class);

    private final String bootstrapServers;
    private final String topic;
    private final TopicPartition partition;
    private final Duration timeout;
    private final BiConsumer<String, String> applier;
    private final KafkaConsumer<String, String> consumer;
    private final Thread reader;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Object progress = new Object();
    private KafkaProducer<String, String> producer;
    private volatile boolean running = true;
    private volatile boolean fenced;
    private volatile Throwable readerFailure;
    private long appliedPosition;

    private KafkaSchemaLog(
            String bootstrapServers,
            String topic,
            Duration timeout,
            BiConsumer<String, String> applier) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.timeout = timeout;
        this.applier = applier;
        this.consumer = new KafkaConsumer<>(consumerProperties());
        this.reader = new Thread(this::readLoop, "schema-registry-reader-" + topic);
        this.reader.setDaemon(true);
    }

    /**
     * Creates the topic if absent, fences any older writer, reads the topic to its end through
     * {@code applier} (key, value; value null for a tombstone) and keeps following it.
     *
     * @throws IllegalStateException naming the topic and the cause when any step fails
     */
    static KafkaSchemaLog open(
            String bootstrapServers,
            String topic,
            Duration timeout,
            BiConsumer<String, String> applier) {
        SchemaTopicSetup.ensureTopic(bootstrapServers, topic, timeout);
        KafkaSchemaLog schemaLog = new KafkaSchemaLog(bootstrapServers, topic, timeout, applier);
        try {
            schemaLog.producer = schemaLog.newProducer();
            schemaLog.reader.start();
            if (!schemaLog.caughtUp.await(timeout.toMillis() * 2, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        "could not read topic "
                                + topic
                                + " to its end within "
                                + timeout.multipliedBy(2));
            }
            if (schemaLog.readerFailure != null) {
                throw new IllegalStateException(
                        "could not read topic " + topic, schemaLog.readerFailure);
            }
            return schemaLog;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            schemaLog.close();
            throw new IllegalStateException("interrupted while reading topic " + topic, e);
        } catch (RuntimeException e) {
            schemaLog.close();
            throw e;
        }
    }

    /**
     * Appends a record and waits until the reader has applied it.
     *
     * @throws SchemaRegistryException 50001 when the store fails or this instance was fenced, 50002
     *     when the record is not read back in time
     */
    synchronized void append(String key, String value) {
        if (fenced) {
            throw fencedError(null);
        }
        if (readerFailure != null) {
            throw storeError(
                    "the reader of topic " + topic + " failed: " + readerFailure, readerFailure);
        }
        long offset;
        try {
            producer.beginTransaction();
            var sent = producer.send(new ProducerRecord<>(topic, 0, key, value));
            producer.commitTransaction();
            offset = sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fenced = true;
            throw fencedError(e);
        } catch (KafkaException | ExecutionException | java.util.concurrent.TimeoutException e) {
            resetProducer();
            throw storeError("could not write to topic " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw storeError("interrupted while writing to topic " + topic, e);
        }
        awaitApplied(offset);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void readLoop() {
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(Set.of(partition), timeout).get(partition);
            log.info("Reading schemas [topic:{}, endOffset:{}]", topic, end);
            while (running) {
                for (ConsumerRecord<String, String> record :
                        consumer.poll(Duration.ofMillis(100))) {
                    apply(record);
                }
                long position = consumer.position(partition, timeout);
                synchronized (progress) {
                    appliedPosition = position;
                    progress.notifyAll();
                }
                if (position >= end && caughtUp.getCount() > 0) {
                    log.info("Schemas loaded [topic:{}, records:{}]", topic, position);
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            // close() asked the reader to stop
        } catch (RuntimeException e) {
            readerFailure = e;
            log.error("Schema topic reader failed [topic:{}]", topic, e);
        } finally {
            caughtUp.countDown();
            synchronized (progress) {
                progress.notifyAll();
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        try {
            applier.accept(record.key(), record.value());
        } catch (RuntimeException e) {
            // one bad record (written by another tool) must not stop the registry
            log.warn(
                    "Skipped unreadable record [topic:{}, offset:{}, error:{}]",
                    topic,
                    record.offset(),
                    e.getMessage());
        }
    }

    private void awaitApplied(long offset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (appliedPosition <= offset) {
                if (readerFailure != null || !reader.isAlive()) {
                    throw storeError("the reader of topic " + topic + " stopped", readerFailure);
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new SchemaRegistryException(
                            500,
                            SchemaRegistryException.OPERATION_TIMEOUT,
                            "the write to topic "
                                    + topic
                                    + " at offset "
                                    + offset
                                    + " was not read back within "
                                    + timeout);
                }
                try {
                    progress.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw storeError("interrupted while waiting for topic " + topic, e);
                }
            }
        }
    }

    private KafkaProducer<String, String> newProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "emeth-schema-registry-" + topic);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() / 2);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        KafkaProducer<String, String> created = new KafkaProducer<>(props);
        try {
            created.initTransactions(); // fences an older registry on the same topic
        } catch (KafkaException e) {
            created.close(Duration.ZERO);
            throw new IllegalStateException(
                    "could not start a transactional writer for topic "
                            + topic
                            + " (a single broker needs transaction.state.log.replication.factor=1"
                            + " and transaction.state.log.min.isr=1): "
                            + e,
                    e);
        }
        return created;
    }

    private void resetProducer() {
        try {
            producer.close(Duration.ofSeconds(5));
            producer = newProducer();
        } catch (RuntimeException e) {
            log.error("Could not restart the schema writer [topic:{}]", topic, e);
        }
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return props;
    }

    private SchemaRegistryException fencedError(Throwable cause) {
        return new SchemaRegistryException(
                500,
                SchemaRegistryException.STORE_ERROR,
                "this registry was fenced by a newer registry writing topic "
                        + topic
                        + "; send writes to the newer one",
                cause);
    }

    private static SchemaRegistryException storeError(String message, Throwable cause) {
        return new SchemaRegistryException(
                500, SchemaRegistryException.STORE_ERROR, message, cause);
    }
}
