package io.emeth.master.avro;

import io.emeth.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of one of the master's private types (an inbox message, a state store value): the Java
 * value is mapped by a {@link RecordMapper} to its generated Avro class, which goes through the
 * pipeline's registry serde (Confluent wire format, schema registered under the internal topic's or
 * changelog's subject). Every failure is a {@link SerializationException} that names the topic (a
 * changelog's name holds its store's) and the type; bytes that are JSON, as a master before the
 * move to Avro wrote them, get a message that says what to do.
 */
public final class MasterSerde<T> implements Serde<T> {
    private final RecordMapper<T> mapper;
    private final Serde<SpecificRecord> avro;
    private final Serializer<T> serializer;
    private final Deserializer<T> deserializer;

    private MasterSerde(RecordMapper<T> mapper, Serde<SpecificRecord> avro) {
        this.mapper = mapper;
        this.avro = avro;
        this.serializer = this::serialize;
        this.deserializer = this::deserialize;
    }

    /**
     * The serde of {@code type} as {@code avroType}, sharing the registry client of {@code topics}.
     *
     * @throws IllegalStateException when the two types do not have the same fields
     */
    @SuppressWarnings("unchecked")
    public static <T, A extends SpecificRecordBase> MasterSerde<T> of(
            Topics topics, Class<T> type, Class<A> avroType) {
        RecordMapper<T> mapper = RecordMapper.of(type, schemaOf(avroType));
        Serde<?> avro = topics.valueSerde(avroType);
        return new MasterSerde<>(mapper, (Serde<SpecificRecord>) avro);
    }

    private static org.apache.avro.Schema schemaOf(Class<? extends SpecificRecordBase> avroType) {
        try {
            return ((SpecificRecordBase) avroType.getConstructor().newInstance()).getSchema();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("not a generated Avro class: " + avroType, e);
        }
    }

    public RecordMapper<T> mapper() {
        return mapper;
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    private byte[] serialize(String topic, T value) {
        if (value == null) {
            return null;
        }
        try {
            return avro.serializer().serialize(topic, (SpecificRecord) mapper.toAvro(value));
        } catch (RuntimeException e) {
            throw new SerializationException(
                    "topic " + topic + ": cannot write " + describe() + ": " + e.getMessage(), e);
        }
    }

    private T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (looksLikeJson(bytes)) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": a JSON "
                            + mapper.type().getSimpleName()
                            + " where Avro "
                            + mapper.schema().getFullName()
                            + " is expected: the record was written by a master older than its"
                            + " move to Avro. Stop every master and run the Kafka Streams reset"
                            + " tool for its application id (master-streams README, 'Upgrading from JSON internal"
                            + " records')"
                            + " before starting this version");
        }
        SpecificRecord record;
        try {
            record = avro.deserializer().deserialize(topic, bytes);
        } catch (SerializationException e) {
            throw new SerializationException(e.getMessage() + " (reading " + describe() + ")", e);
        }
        try {
            return mapper.fromAvro(record);
        } catch (RuntimeException e) {
            throw new SerializationException(
                    "topic " + topic + ": invalid " + describe() + ": " + e.getMessage(), e);
        }
    }

    private String describe() {
        return mapper.type().getSimpleName() + " (Avro " + mapper.schema().getFullName() + ")";
    }

    /** JSON objects start with '{' (after blanks); the Avro wire format starts with 0x00. */
    static boolean looksLikeJson(byte[] bytes) {
        for (byte b : bytes) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                continue;
            }
            return b == '{';
        }
        return false;
    }
}
