package io.emeth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.EventSamples;
import io.emeth.schemas.EventSamples.Sample;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.KafkaTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every event type of the catalog through the real broker and the real registry, and back. */
class EveryEventRoundTripIT {
    private static KafkaTestCluster kafka;
    private static SchemaRegistryServer registry;

    @BeforeAll
    static void start() {
        kafka = KafkaTestCluster.shared();
        registry =
                SchemaRegistryServer.start(
                        SchemaRegistryServer.Settings.defaults(kafka.bootstrapServers())
                                .withTopic(KafkaTestCluster.uniqueName("_schemas-roundtrip")));
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void shouldReadBackEveryEventTypeEqualToWhatWasProduced() throws Exception {
        // Given the pipeline's topics, under a prefix of this test, created from their specs
        Topics topics =
                Topics.create(
                        SerdeConfig.of(registry.url()),
                        KafkaTestCluster.uniqueName("roundtrip") + "-");
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(
                            topics.specs().stream()
                                    .map(spec -> spec.withPartitions(2).newTopic((short) 1))
                                    .toList())
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }

        // When every sample is produced to its topic and the topic is read back
        for (Topic<String, ?> topic : topics.all()) {
            List<Sample> samples = samplesOf(topics, topic);
            List<Object> read = roundTrip(topic, samples);

            // Then each topic holds exactly its samples, equal field by field
            assertThat(read)
                    .as(topic.name())
                    .containsExactlyInAnyOrderElementsOf(
                            samples.stream().map(Sample::value).map(Object.class::cast).toList());
        }
        assertThat(topics.registry().subjects())
                .containsAll(topics.all().stream().map(topic -> topic.name() + "-value").toList());
        assertThat(EventSamples.jobRequested().getFee().toBigInteger().bitLength())
                .isGreaterThan(63);
    }

    private static List<Sample> samplesOf(Topics topics, Topic<String, ?> topic) {
        List<Sample> samples =
                EventSamples.all().stream()
                        .filter(sample -> (topics.prefix() + sample.topic()).equals(topic.name()))
                        .toList();
        assertThat(samples).as("samples of " + topic.name()).isNotEmpty();
        return samples;
    }

    @SuppressWarnings("unchecked")
    private static <V> List<Object> roundTrip(Topic<String, V> topic, List<Sample> samples) {
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, V> producer =
                new KafkaProducer<>(
                        producerProps,
                        topic.keySerde().serializer(),
                        topic.valueSerde().serializer())) {
            for (Sample sample : samples) {
                producer.send(new ProducerRecord<>(topic.name(), sample.key(), (V) sample.value()));
            }
            producer.flush();
        }
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<Object> read = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer =
                new KafkaConsumer<>(
                        consumerProps,
                        topic.keySerde().deserializer(),
                        topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic.name()).stream()
                            .map(info -> new TopicPartition(topic.name(), info.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(
                            () -> {
                                for (ConsumerRecord<String, V> record :
                                        consumer.poll(Duration.ofMillis(200))) {
                                    read.add(record.value());
                                }
                                return read.size() >= samples.size();
                            });
        }
        return read;
    }
}
