package io.emeth.chain.it;

import io.emeth.common.config.KafkaSettings;
import io.emeth.registry.SchemaRegistryServer;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.KafkaTestCluster;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The JVM-wide Kafka cluster and schema registry the ITs share, and per-test topics (a unique
 * prefix, created from the real specs), with read_committed readers.
 */
public final class KafkaFixture {
    private static SchemaRegistryServer registry;

    private KafkaFixture() {}

    public static KafkaTestCluster kafka() {
        return KafkaTestCluster.shared();
    }

    /** The JVM-wide registry, started on first use. */
    public static synchronized String registryUrl() {
        if (registry == null) {
            registry =
                    SchemaRegistryServer.start(
                            SchemaRegistryServer.Settings.defaults(kafka().bootstrapServers())
                                    .withTopic(KafkaTestCluster.uniqueName("_schemas-chain")));
            Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
        }
        return registry.url();
    }

    public static KafkaSettings settings() {
        return new KafkaSettings(kafka().bootstrapServers(), URI.create(registryUrl()), Map.of());
    }

    /** The pipeline's topics under a prefix unique to {@code name}, created on the broker. */
    public static Topics topics(String name) throws Exception {
        String prefix = KafkaTestCluster.uniqueName(name) + ".";
        Topics topics = Topics.create(SerdeConfig.of(registryUrl()), prefix);
        try (Admin admin = Admin.create(kafka().clientProperties())) {
            admin.createTopics(
                            topics.specs().stream()
                                    .map(
                                            s ->
                                                    s.withPartitions(Math.min(s.partitions(), 3))
                                                            .newTopic((short) 1))
                                    .toList())
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        return topics;
    }

    /** Every committed record of {@code topic} (read_committed, from the start to the end). */
    public static <V> List<ConsumerRecord<String, V>> readAll(Topic<String, V> topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer =
                new KafkaConsumer<>(
                        props,
                        topic.keySerde().deserializer(),
                        topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic.name()).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic.name());
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Publishes {@code values} under {@code key} in one Kafka transaction, so that a read_committed
     * consumer gets them together.
     */
    public static <V> void publishAll(Topic<String, V> topic, String key, List<V> values)
            throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", kafka().bootstrapServers());
        props.put("transactional.id", KafkaTestCluster.uniqueName("fixture-publish"));
        try (KafkaProducer<String, V> producer =
                new KafkaProducer<>(
                        props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (V value : values) {
                producer.send(new ProducerRecord<>(topic.name(), key, value));
            }
            producer.commitTransaction();
        }
    }

    /** Publishes {@code value} under {@code key} (not transactional) and waits for the ack. */
    public static <V> void publish(Topic<String, V> topic, String key, V value) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", kafka().bootstrapServers());
        try (KafkaProducer<String, V> producer =
                new KafkaProducer<>(
                        props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get(30, TimeUnit.SECONDS);
        }
    }
}
