package io.emeth.schemas.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into a generated Avro class. The writer schema is fetched by the
 * id in the header and resolved against the generated class's schema as reader, so data written
 * before a compatible evolution still decodes (new fields take their defaults).
 *
 * <p>Malformed input (not the wire format, truncated, an unknown schema id, undecodable or trailing
 * Avro bytes, a writer schema the reader cannot resolve) raises a {@link SerializationException}
 * naming the topic, the problem and the schema id. Without a configured type, the class is found
 * from the writer schema's full name.
 */
public final class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final ConcurrentMap<Integer, SpecificDatumReader<T>> readers =
            new ConcurrentHashMap<>();
    private SchemaRegistryClient registry;
    private Class<T> type;

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public SpecificAvroDeserializer() {}

    /**
     * @param type the generated class to read into, or null to use the writer schema's class
     */
    public SpecificAvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = registry;
        this.type = type;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistryClients.create(SerdeConfig.fromMap(configs));
        readers.clear();
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException(
                    "SpecificAvroDeserializer is not configured: set " + SerdeConfig.REGISTRY_URL);
        }
        if (data.length < AvroWireFormat.HEADER_SIZE) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": truncated value of "
                            + data.length
                            + " bytes; the Confluent wire format needs at least "
                            + AvroWireFormat.HEADER_SIZE
                            + " (magic byte and 4-byte schema id) before the Avro data");
        }
        if (data[0] != AvroWireFormat.MAGIC_BYTE) {
            throw new SerializationException(
                    String.format(
                            "topic %s: unknown magic byte 0x%02x (expected 0x00; the next 4 bytes"
                                    + " would be schema id %d); the value was not written in the"
                                    + " Confluent Avro wire format",
                            topic, data[0], ByteBuffer.wrap(data, 1, 4).getInt()));
        }
        int id = ByteBuffer.wrap(data, 1, 4).getInt();
        SpecificDatumReader<T> reader = reader(topic, id);
        BoundedDecoder decoder =
                new BoundedDecoder(new ByteSlice(data, AvroWireFormat.HEADER_SIZE));
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": malformed Avro data for schema id "
                            + id
                            + " ("
                            + reader.getSchema().getFullName()
                            + "): "
                            + e,
                    e);
        }
        if (decoder.remaining() > 0) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": "
                            + decoder.remaining()
                            + " unexpected bytes after the Avro record of schema id "
                            + id
                            + " ("
                            + reader.getSchema().getFullName()
                            + "); the value is corrupt or was written with another schema");
        }
        return record;
    }

    private SpecificDatumReader<T> reader(String topic, int id) {
        SpecificDatumReader<T> cached = readers.get(id);
        if (cached != null) {
            return cached;
        }
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            String problem =
                    e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND
                            ? "unknown schema id "
                                    + id
                                    + " (not in the registry at "
                                    + registry.target()
                                    + ")"
                            : "could not fetch schema id "
                                    + id
                                    + " from the registry at "
                                    + registry.target()
                                    + ": "
                                    + e.getMessage();
            throw new SerializationException("topic " + topic + ": " + problem, e);
        }
        Schema readerSchema = readerSchema(topic, id, writer);
        SpecificDatumReader<T> reader =
                new BoundedSpecificDatumReader<>(writer, readerSchema, AvroWireFormat.MODEL);
        readers.put(id, reader);
        return reader;
    }

    private Schema readerSchema(String topic, int id, Schema writer) {
        Class<?> target = type != null ? type : AvroWireFormat.MODEL.getClass(writer);
        if (target == null || !SpecificRecord.class.isAssignableFrom(target)) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": schema id "
                            + id
                            + " is "
                            + writer.getFullName()
                            + ", for which no generated class is on the classpath");
        }
        Schema reader = AvroWireFormat.MODEL.getSchema(target);
        if (!reader.getFullName().equals(writer.getFullName())
                && !reader.getAliases().contains(writer.getFullName())) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": schema id "
                            + id
                            + " is "
                            + writer.getFullName()
                            + ", which cannot be read as "
                            + reader.getFullName());
        }
        List<String> problems = Compatibility.readerWriter(reader, writer);
        if (!problems.isEmpty()) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": schema id "
                            + id
                            + " ("
                            + writer.getFullName()
                            + ") cannot be read with the class's schema: "
                            + problems);
        }
        return reader;
    }
}
