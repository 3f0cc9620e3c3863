package io.emeth.admin.support;

import io.emeth.common.config.KafkaSettings;
import io.emeth.registry.SchemaRegistryServer;
import io.emeth.schemas.Topic;
import io.emeth.schemas.TopicSpec;
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
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The JVM-wide broker and schema registry of the admin-rpc ITs, and a set of topics of their own
 * for each test (a unique prefix), created with 2 partitions each to keep the broker light.
 */
public final class ItKafka {
    private static SchemaRegistryServer registry;

    private final String prefix;
    private final Topics topics;

    private ItKafka(String prefix) {
        this.prefix = prefix;
        this.topics = Topics.create(SerdeConfig.of(registryUrl()), prefix);
    }

    /** Fresh topics named {@code <base>-<random>.<topic>}. */
    public static ItKafka topics(String base) {
        ItKafka kafka = new ItKafka(KafkaTestCluster.uniqueName(base) + ".");
        kafka.create();
        return kafka;
    }

    /** A catalog of topics that do not exist yet; {@link #create()} creates them. */
    public static ItKafka uncreated(String base) {
        return new ItKafka(KafkaTestCluster.uniqueName(base) + ".");
    }

    public static synchronized String registryUrl() {
        if (registry == null) {
            registry = SchemaRegistryServer.start(bootstrapServers(), "127.0.0.1", 0);
            Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
        }
        return registry.url();
    }

    public static String bootstrapServers() {
        return KafkaTestCluster.shared().bootstrapServers();
    }

    public static KafkaSettings settings() {
        return new KafkaSettings(bootstrapServers(), URI.create(registryUrl()), Map.of());
    }

    public Topics catalog() {
        return topics;
    }

    public String prefix() {
        return prefix;
    }

    /** Creates every topic of the catalog (2 partitions each). */
    public void create() {
        List<NewTopic> topicsToCreate = new ArrayList<>();
        for (TopicSpec spec : topics.specs()) {
            topicsToCreate.add(spec.withPartitions(2).newTopic((short) 1));
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(topicsToCreate).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the test topics " + prefix, e);
        }
    }

    /** Publishes {@code values} keyed by {@code key(value)} and waits for every acknowledgement. */
    public <V> void publish(Topic<String, V> topic, List<Map.Entry<String, V>> records) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (Map.Entry<String, V> record : records) {
                producer.send(
                                new ProducerRecord<>(
                                        topic.name(),
                                        topic.keySerde()
                                                .serializer()
                                                .serialize(topic.name(), record.getKey()),
                                        record.getValue() == null
                                                ? null
                                                : topic.valueSerde()
                                                        .serializer()
                                                        .serialize(
                                                                topic.name(), record.getValue())))
                        .get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + topic.name(), e);
        }
    }

    /** Publishes raw bytes (to test records that do not decode). */
    public void publishRaw(String topic, byte[] key, byte[] value) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + topic, e);
        }
    }

    /** Every record on {@code topic} now, decoded. */
    public <V> List<V> readAll(Topic<String, V> topic) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<V> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic.name())
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(topic.valueSerde().deserializer().deserialize(r.topic(), r.value()));
                }
            }
        }
        return values;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }
}
