package io.emeth.schemas.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a generated Avro record in the Confluent wire format, under the subject {@code
 * <topic>-value} (or {@code -key}). With auto-register (the default) the record's schema is
 * registered on first use; without it the schema must already be registered. A null record stays
 * null (a tombstone).
 *
 * <p>Build it with a client (as {@code Topics} does), or let Kafka instantiate it by class name and
 * {@link #configure} it from {@link SerdeConfig}'s keys.
 */
public final class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private record SubjectSchema(String subject, Schema schema) {}

    private final ConcurrentMap<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final ConcurrentMap<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
    private SchemaRegistryClient registry;
    private boolean autoRegister;
    private boolean isKey;

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public SpecificAvroSerializer() {}

    public SpecificAvroSerializer(
            SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SerdeConfig config = SerdeConfig.fromMap(configs);
        this.registry = SchemaRegistryClients.create(config);
        this.autoRegister = config.autoRegister();
        this.isKey = isKey;
        ids.clear();
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException(
                    "SpecificAvroSerializer is not configured: set " + SerdeConfig.REGISTRY_URL);
        }
        Schema schema = record.getSchema();
        int id = schemaId(topic, schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(AvroWireFormat.header(id));
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer(schema).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": could not encode "
                            + schema.getFullName()
                            + " (schema id "
                            + id
                            + "): "
                            + e.getMessage(),
                    e);
        }
        return out.toByteArray();
    }

    private int schemaId(String topic, Schema schema) {
        String subject = AvroWireFormat.subject(topic, isKey);
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        try {
            id = autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": could not "
                            + (autoRegister ? "register" : "look up")
                            + " the schema of "
                            + schema.getFullName()
                            + " under subject "
                            + subject
                            + " in the registry at "
                            + registry.target()
                            + " (HTTP "
                            + e.httpStatus()
                            + ", error_code "
                            + e.errorCode()
                            + "): "
                            + e.getMessage(),
                    e);
        }
        ids.put(key, id);
        return id;
    }

    private SpecificDatumWriter<T> writer(Schema schema) {
        return writers.computeIfAbsent(
                schema, s -> new SpecificDatumWriter<>(s, AvroWireFormat.MODEL));
    }
}
