package io.emeth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.EventSamples;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.registry.AvroWireFormat;
import io.emeth.schemas.registry.RestSchemaRegistryClient;
import io.emeth.schemas.registry.SchemaRegistryException;
import io.emeth.schemas.registry.SpecificAvroDeserializer;
import io.emeth.schemas.registry.SpecificAvroSerializer;
import io.emeth.testkit.KafkaTestCluster;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A subject evolves on the real registry: v1 (defined here) is written, the generated WorkerView
 * (v2, new optional fields with defaults) registers and reads the v1 record, and an incompatible v3
 * is refused with HTTP 409 naming the subject.
 */
class SchemaEvolutionIT {
    private static final Schema V1 =
            new Schema.Parser()
                    .parse(
                            """
                            {"type": "record", "name": "WorkerView",
                             "namespace": "io.emeth.schemas.avro.view",
                             "fields": [
                              {"name": "worker", "type": "string"},
                              {"name": "pool", "type": "string"},
                              {"name": "state", "type": {"type": "enum", "name": "WorkerState",
                                "symbols": ["IDLE", "RESERVED", "TRAINING", "LOST"]}},
                              {"name": "powerCapacity", "type": "long"},
                              {"name": "device", "type": "string"},
                              {"name": "url", "type": "string"},
                              {"name": "phase", "type": {"type": "enum", "name": "WorkerPhase",
                                "namespace": "io.emeth.schemas.avro",
                                "symbols": ["NONE", "IDLE", "LEARNING"], "default": "NONE"}},
                              {"name": "jobId", "type": ["null", "string"], "default": null},
                              {"name": "lastHeartbeatAt", "type": ["null", "long"], "default": null},
                              {"name": "updatedAt", "type": "long"}
                             ]}
                            """);

    private static KafkaTestCluster kafka;
    private static SchemaRegistryServer registry;

    @BeforeAll
    static void start() {
        kafka = KafkaTestCluster.shared();
        registry =
                SchemaRegistryServer.start(
                        SchemaRegistryServer.Settings.defaults(kafka.bootstrapServers())
                                .withTopic(KafkaTestCluster.uniqueName("_schemas-evolution")));
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void shouldReadAV1RecordWithTheV2ReaderAndRefuseAnIncompatibleV3() throws Exception {
        // Given a topic whose subject starts at v1, and a v1 record on it
        String topic = KafkaTestCluster.uniqueName("worker-status-evolution");
        String subject = topic + "-value";
        kafka.createTopics(1, topic);
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
        int v1 = client.register(subject, V1);
        produce(topic, "0xw", v1Record(v1));

        // When the generated WorkerView (v2) is written through the serializer (auto-register)
        WorkerView v2Value = EventSamples.workerView();
        byte[] v2Bytes =
                new SpecificAvroSerializer<WorkerView>(client, true, false)
                        .serialize(topic, v2Value);
        produce(topic, v2Value.getWorker(), v2Bytes);

        // Then the subject has two versions and the v2 reader reads both records
        assertThat(client.versions(subject)).containsExactly(1, 2);
        List<WorkerView> read = consume(topic, 2);
        WorkerView old = read.get(0);
        assertThat(old.getWorker()).isEqualTo("0xw");
        assertThat(old.getState()).isEqualTo(WorkerState.LOST);
        assertThat(old.getPhase()).isEqualTo(WorkerPhase.LEARNING);
        assertThat(old.getLastHeartbeatAt()).isEqualTo(Instant.ofEpochMilli(5));
        assertThat(old.getAttempt()).isNull();
        assertThat(old.getEpoch()).isNull();
        assertThat(old.getProgress()).isNull();
        assertThat(old.getLastError()).isNull();
        assertThat(read.get(1)).isEqualTo(v2Value);

        // When an incompatible v3 (a new field without default) is registered, then: 409
        Schema v3 = withRequiredField(WorkerView.getClassSchema());
        assertThatThrownBy(() -> client.register(subject, v3))
                .asInstanceOf(InstanceOfAssertFactories.type(SchemaRegistryException.class))
                .satisfies(
                        e -> {
                            assertThat(e.httpStatus()).isEqualTo(409);
                            assertThat(e.errorCode()).isEqualTo(409);
                            assertThat(e.getMessage())
                                    .contains("subject \"" + subject + "\"")
                                    .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                                    .contains("field 'region'");
                        });
        RawHttp.Answer raw =
                RawHttp.send(
                        "POST",
                        registry.url() + "/subjects/" + subject + "/versions",
                        RawHttp.schemaBody(v3.toString()));
        assertThat(raw.status()).isEqualTo(409);
        assertThat(raw.errorCode()).isEqualTo(409);
        assertThat(raw.message()).contains(subject);
        assertThat(client.versions(subject)).containsExactly(1, 2);
    }

    private static Schema withRequiredField(Schema schema) {
        String json = schema.toString();
        return new Schema.Parser()
                .parse(
                        json.replaceFirst(
                                "\"fields\":\\[",
                                "\"fields\":[{\"name\":\"region\",\"type\":\"string\"},"));
    }

    private static byte[] v1Record(int id) throws Exception {
        GenericRecord record = new GenericData.Record(V1);
        record.put("worker", "0xw");
        record.put("pool", "0xp");
        record.put("state", new GenericData.EnumSymbol(V1.getField("state").schema(), "LOST"));
        record.put("powerCapacity", 7L);
        record.put("device", "cpu");
        record.put("url", "http://w");
        record.put("phase", new GenericData.EnumSymbol(V1.getField("phase").schema(), "LEARNING"));
        record.put("jobId", null);
        record.put("lastHeartbeatAt", 5L);
        record.put("updatedAt", 9L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(AvroWireFormat.header(id));
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(V1).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static void produce(String topic, String key, byte[] value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static List<WorkerView> consume(String topic, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        List<WorkerView> read = new ArrayList<>();
        try (KafkaConsumer<String, WorkerView> consumer =
                new KafkaConsumer<>(
                        props,
                        new StringDeserializer(),
                        new SpecificAvroDeserializer<>(
                                new RestSchemaRegistryClient(registry.url()), WorkerView.class))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(
                            () -> {
                                consumer.poll(Duration.ofMillis(200))
                                        .forEach(r -> read.add(r.value()));
                                return read.size() >= count;
                            });
        }
        return read;
    }
}
