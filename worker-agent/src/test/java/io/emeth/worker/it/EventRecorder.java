package io.emeth.worker.it;

import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Records every record of {@code worker-events} and {@code training-events}, as the master reads
 * them.
 */
final class EventRecorder implements AutoCloseable {

    /** One recorded record. */
    record Recorded<T>(String topic, int partition, String key, long timestamp, T value) {}

    final List<Recorded<WorkerEvent>> workerEvents = new CopyOnWriteArrayList<>();
    final List<Recorded<TrainingEvent>> trainingEvents = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Topics topics;
    private final Thread thread;
    private volatile boolean running = true;

    EventRecorder(String bootstrap, Topics topics) {
        this.topics = topics;
        this.consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                false),
                        new StringDeserializer(),
                        new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(topics.workerEvents().name(), topics.trainingEvents().name())) {
            consumer.partitionsFor(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::run, "event-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(topics.workerEvents().name())) {
                        WorkerEvent e =
                                topics.workerEvents()
                                        .valueSerde()
                                        .deserializer()
                                        .deserialize(r.topic(), r.value());
                        workerEvents.add(
                                new Recorded<>(
                                        r.topic(), r.partition(), r.key(), r.timestamp(), e));
                    } else {
                        TrainingEvent e =
                                topics.trainingEvents()
                                        .valueSerde()
                                        .deserializer()
                                        .deserialize(r.topic(), r.value());
                        trainingEvents.add(
                                new Recorded<>(
                                        r.topic(), r.partition(), r.key(), r.timestamp(), e));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** Training events whose payload is a {@code type}, in topic order per partition. */
    <P> List<Recorded<TrainingEvent>> training(Class<P> type, Predicate<TrainingEvent> filter) {
        return trainingEvents.stream()
                .filter(r -> type.isInstance(r.value().getPayload()) && filter.test(r.value()))
                .toList();
    }

    /** Whether {@code address} has registered (published a {@code WorkerRegistered}). */
    boolean registered(String address) {
        return !worker(WorkerRegistered.class, address).isEmpty();
    }

    /** Whether any training event's payload is a {@code type}. */
    boolean anyTraining(Class<?> type) {
        return !training(type, e -> true).isEmpty();
    }

    /** The payload of the first training event whose payload is a {@code type}. */
    <P> P firstTraining(Class<P> type) {
        return type.cast(training(type, e -> true).get(0).value().getPayload());
    }

    /** The first {@code RoundAggregated} of round {@code epoch}. */
    RoundAggregated roundAggregated(int epoch) {
        return (RoundAggregated)
                training(
                                RoundAggregated.class,
                                e -> ((RoundAggregated) e.getPayload()).getEpoch() == epoch)
                        .get(0)
                        .value()
                        .getPayload();
    }

    /** The {@code ShardTrained} events {@code worker} published for round {@code epoch}. */
    List<Recorded<TrainingEvent>> shardsTrained(String worker, int epoch) {
        return training(
                ShardTrained.class,
                e ->
                        e.getWorker().equals(worker)
                                && ((ShardTrained) e.getPayload()).getEpoch() == epoch);
    }

    <P> List<Recorded<WorkerEvent>> worker(Class<P> type, String address) {
        return workerEvents.stream()
                .filter(
                        r ->
                                type.isInstance(r.value().getPayload())
                                        && r.value().getWorker().equals(address))
                .toList();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
