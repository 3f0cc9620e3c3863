package io.emeth.worker.events;

import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.worker.WorkerEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's one Kafka producer: heartbeats and registrations to {@code worker-events} (keyed by
 * the worker's address, sent without waiting), and training facts to {@code training-events} (keyed
 * by the job id, each waited for, because the next step of a round depends on it being written).
 */
public final class EventPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaProducer<String, SpecificRecord> producer;
    private final Topic<String, WorkerEvent> workerEvents;
    private final Topic<String, TrainingEvent> trainingEvents;
    private volatile long lastSuccessMs = System.currentTimeMillis();
    private volatile boolean lastFailed;

    public EventPublisher(Map<String, Object> kafkaProperties, Topics topics, String clientId) {
        this.workerEvents = topics.workerEvents();
        this.trainingEvents = topics.trainingEvents();
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByTopicSerializer());
    }

    /** Sends a worker event without waiting; a failure is logged (the next heartbeat follows). */
    public void publish(WorkerEvent event) {
        producer.send(
                new ProducerRecord<>(workerEvents.name(), event.getWorker(), event),
                (metadata, error) -> {
                    if (error != null) {
                        lastFailed = true;
                        log.warn(
                                "Could not publish worker event [worker:{}, kind:{}, error:{}]",
                                event.getWorker(),
                                TrainingEventSigning.kind(event.getPayload()),
                                error.toString());
                    } else {
                        lastFailed = false;
                        lastSuccessMs = System.currentTimeMillis();
                    }
                });
    }

    /**
     * Publishes a training event and waits until the broker has it.
     *
     * @throws IOException naming the job and event when the broker did not take it in time
     * @throws InterruptedException if the waiting thread was interrupted
     */
    public RecordMetadata publish(TrainingEvent event) throws IOException, InterruptedException {
        String kind = TrainingEventSigning.kind(event.getPayload());
        try {
            RecordMetadata metadata =
                    producer.send(
                                    new ProducerRecord<>(
                                            trainingEvents.name(), event.getJobId(), event))
                            .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            lastFailed = false;
            lastSuccessMs = System.currentTimeMillis();
            log.info(
                    "Published {} [jobId:{}, attempt:{}, partition:{}, offset:{}]",
                    kind,
                    event.getJobId(),
                    event.getAttempt(),
                    metadata.partition(),
                    metadata.offset());
            return metadata;
        } catch (ExecutionException | TimeoutException e) {
            lastFailed = true;
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException(
                    "could not publish "
                            + kind
                            + " of job "
                            + event.getJobId()
                            + " to "
                            + trainingEvents.name()
                            + ": "
                            + cause,
                    cause);
        }
    }

    /** Whether the last send succeeded (for the health check). */
    public boolean healthy() {
        return !lastFailed;
    }

    /** Wall-clock time of the last acknowledged send. */
    public long lastSuccessMs() {
        return lastSuccessMs;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** Serializes each value with its topic's serde. */
    private final class ByTopicSerializer implements Serializer<SpecificRecord> {
        @Override
        public byte[] serialize(String topic, SpecificRecord data) {
            if (data instanceof WorkerEvent e) {
                return workerEvents.valueSerde().serializer().serialize(topic, e);
            }
            if (data instanceof TrainingEvent e) {
                return trainingEvents.valueSerde().serializer().serialize(topic, e);
            }
            throw new IllegalArgumentException(
                    "the worker publishes no " + data.getClass().getSimpleName());
        }
    }
}
