package io.emeth.master.testing;

import io.emeth.schemas.Topic;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends and reads a topic's values through its serde with byte-array clients, as the simulated
 * worlds of the IT and the benchmark do (one producer and consumer for every topic).
 */
public final class RawTopics {
    private RawTopics() {}

    /** A producer of raw values (lingering 5 ms), plus {@code extra} settings. */
    public static KafkaProducer<String, byte[]> producer(
            String bootstrap, Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A read_committed consumer of raw values in a group of its own ({@code group} + a random
     * suffix) from the earliest offsets, plus {@code extra} settings.
     */
    public static KafkaConsumer<String, byte[]> consumer(
            String bootstrap, String group, Map<String, Object> extra) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group + "-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.putAll(extra);
        return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public static <V> void send(
            KafkaProducer<String, byte[]> producer, Topic<String, V> topic, String key, V value) {
        producer.send(
                new ProducerRecord<>(
                        topic.name(),
                        key,
                        topic.valueSerde().serializer().serialize(topic.name(), value)));
    }

    public static <V> V decode(Topic<String, V> topic, ConsumerRecord<String, byte[]> r) {
        return topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    }
}
