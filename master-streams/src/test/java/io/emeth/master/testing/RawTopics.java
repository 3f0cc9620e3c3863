package io.emeth.master.testing;

import io.emeth.schemas.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends and reads a topic's values through its serde with byte-array clients, as the simulated
 * worlds of the IT and the benchmark do (one producer and consumer for every topic).
 */
public final class RawTopics {
    private RawTopics() {}

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
