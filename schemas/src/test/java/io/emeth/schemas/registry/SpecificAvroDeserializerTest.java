package io.emeth.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.EventSamples;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import io.emeth.schemas.avro.view.WorkerView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SpecificAvroDeserializerTest {
    private static final String TOPIC = "indexer-checkpoints";

    private InMemorySchemaRegistry registry;
    private SpecificAvroDeserializer<IndexerCheckpoint> deserializer;
    private byte[] valid;

    @BeforeEach
    void setUp() {
        registry = new InMemorySchemaRegistry();
        deserializer = new SpecificAvroDeserializer<>(registry, IndexerCheckpoint.class);
        valid =
                new SpecificAvroSerializer<IndexerCheckpoint>(registry, true, false)
                        .serialize(TOPIC, EventSamples.checkpoint());
    }

    @Test
    void shouldReadBackWhatWasWritten() {
        assertThat(deserializer.deserialize(TOPIC, valid)).isEqualTo(EventSamples.checkpoint());
    }

    @Test
    void shouldRejectAnEmptyValueAsTruncated() {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[0]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining("truncated value of 0 bytes");
    }

    @Test
    void shouldRejectAHeaderCutShortAsTruncated() {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining("truncated value of 4 bytes");
    }

    @Test
    void shouldRejectAWrongMagicByte() {
        byte[] data = valid.clone();
        data[0] = 0x7b; // '{' as in a JSON value written by mistake

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, data))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining("unknown magic byte 0x7b")
                .hasMessageContaining("schema id 1");
    }

    @Test
    void shouldRejectAnUnknownSchemaId() {
        byte[] data = valid.clone();
        data[4] = 99;

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, data))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining("unknown schema id 99");
    }

    @Test
    void shouldRejectAvroDataCutShort() {
        byte[] data = Arrays.copyOf(valid, valid.length - 3);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, data))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining("malformed Avro data for schema id 1");
    }

    @Test
    void shouldRejectGarbageAfterAValidHeader() {
        byte[] data = {0, 0, 0, 0, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, data))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining("schema id 1");
    }

    @Test
    void shouldRejectTrailingBytes() {
        byte[] data = Arrays.copyOf(valid, valid.length + 2);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, data))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining("2 unexpected bytes after the Avro record of schema id 1");
    }

    @Test
    void shouldRefuseAHostileStringLengthWithoutAllocatingIt() {
        // Given a header and a string that claims 1 GiB (zigzag varint of 2^30) in six bytes
        byte[] data = {
            0, 0, 0, 0, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'x'
        };

        // Then
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, data))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id 1")
                .hasMessageContaining(
                        "string of 1073741824 bytes declared but only 1 bytes remain");
    }

    @Test
    void shouldRefuseAHostileArrayCountWithoutAllocatingIt() {
        // Given a ChainAlert whose RawLog.topics claims about 2^30 items in five bytes
        SpecificAvroDeserializer<ChainAlert> alerts =
                new SpecificAvroDeserializer<>(registry, ChainAlert.class);
        int id = registry.register("chain-alerts-value", ChainAlert.getClassSchema());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(AvroWireFormat.header(id));
        out.writeBytes(new byte[] {0x02, 'c', 0x00, 0x02}); // contract "c", detectedAt 0, branch 1
        out.writeBytes(new byte[] {0x02, 'r', 0x02, 'a'}); // reason "r", log.address "a"
        out.writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08});

        // Then
        assertThatThrownBy(() -> alerts.deserialize("chain-alerts", out.toByteArray()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic chain-alerts")
                .hasMessageContaining("malformed Avro data for schema id " + id);
    }

    @Test
    void shouldRejectAnIdWhoseSchemaIsAnotherRecordType() {
        // Given a WorkerView written to the checkpoint topic
        byte[] data =
                new SpecificAvroSerializer<WorkerView>(registry, true, false)
                        .serialize("elsewhere", EventSamples.workerView());

        // Then
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, data))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining("io.emeth.schemas.avro.view.WorkerView")
                .hasMessageContaining(
                        "cannot be read as io.emeth.schemas.avro.chain.IndexerCheckpoint");
    }

    @Test
    void shouldRejectAWriterSchemaTheReaderCannotResolve() throws IOException {
        // Given a checkpoint written with blockNumber as a string (incompatible with long)
        Schema writer =
                SchemaBuilder.record("IndexerCheckpoint")
                        .namespace("io.emeth.schemas.avro.chain")
                        .fields()
                        .requiredString("contract")
                        .requiredString("blockNumber")
                        .requiredString("blockHash")
                        .requiredLong("recordedAt")
                        .endRecord();
        int id = registry.register("other-value", writer);
        GenericRecord record = new GenericData.Record(writer);
        record.put("contract", "c");
        record.put("blockNumber", "twelve");
        record.put("blockHash", "h");
        record.put("recordedAt", 1L);

        // Then
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, encode(id, writer, record)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic " + TOPIC)
                .hasMessageContaining("schema id " + id)
                .hasMessageContaining("cannot be read with the class's schema")
                .hasMessageContaining("TYPE_MISMATCH at /fields/1/type");
    }

    @Test
    void shouldFindTheClassFromTheWriterSchemaWhenNoTypeIsConfigured() {
        SpecificAvroDeserializer<IndexerCheckpoint> untyped =
                new SpecificAvroDeserializer<>(registry, null);

        assertThat(untyped.deserialize(TOPIC, valid)).isEqualTo(EventSamples.checkpoint());
    }

    static byte[] encode(int id, Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(AvroWireFormat.header(id));
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
