package io.emeth.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaTestClusterIT {

    @Test
    void shouldDeliverATransactionalRecordToAReadCommittedConsumer() throws Exception {
        // Given the shared cluster and a fresh topic
        KafkaTestCluster cluster = KafkaTestCluster.shared();
        String topic = KafkaTestCluster.uniqueName("testkit");
        cluster.createTopics(1, topic);

        // When a transactional producer commits one record
        Map<String, Object> producerProps =
                Map.of(
                        "bootstrap.servers", cluster.bootstrapServers(),
                        "transactional.id", KafkaTestCluster.uniqueName("tx"));
        try (var producer =
                new KafkaProducer<>(
                        producerProps, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "v"));
            producer.commitTransaction();
        }

        // Then a read_committed consumer sees it
        Map<String, Object> consumerProps =
                Map.of(
                        "bootstrap.servers",
                        cluster.bootstrapServers(),
                        "group.id",
                        KafkaTestCluster.uniqueName("g"),
                        "auto.offset.reset",
                        "earliest",
                        "isolation.level",
                        "read_committed");
        try (var consumer =
                new KafkaConsumer<>(
                        consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            while (records.isEmpty() && System.currentTimeMillis() < deadline) {
                records = consumer.poll(Duration.ofMillis(500));
            }
            assertThat(records.count()).isEqualTo(1);
            assertThat(records.iterator().next().value()).isEqualTo("v");
        }
    }
}
