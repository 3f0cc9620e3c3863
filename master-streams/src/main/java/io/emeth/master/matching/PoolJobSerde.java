package io.emeth.master.matching;

import io.emeth.master.avro.MasterSerde;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.master.PoolJobState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of {@code pool-jobs-store}'s values: the bytes of {@link MasterSerde} (Confluent wire
 * format, Avro {@code PoolJobState}), written straight from the {@link PoolJob} instead of through
 * the generated record and Avro's generic writer, which cost a quarter of a match's CPU (a match
 * writes its job's reservation once). Reading, which happens at task start, stays {@link
 * MasterSerde}'s.
 *
 * <p>The first record written to a topic goes through {@link MasterSerde}, which registers (or
 * looks up) the schema; its 5-byte header is then reused. The fields are written in the schema's
 * order with Avro's own {@link BinaryEncoder} (only the record walk is this class's); the schema is
 * checked against that order when the serde is built ({@link #SHAPE}), so a field added to {@code
 * PoolJobState} stops the master at start until this writer is updated, and a test compares its
 * bytes with {@link MasterSerde}'s. The plan's encoding is kept with the job ({@link
 * PoolJob#planAvro}): a job is written on its request, on its match and on each release of a
 * member, and its plan never changes.
 */
final class PoolJobSerde implements Serde<PoolJob> {
    /** The schema this writer encodes, field by field in order. */
    static final String SHAPE =
            "PoolJobState{plan:[null,JobPlan{jobId:string,fee:decimal(78,0),deadlineMs:long,"
                    + "requestedAtMs:long,datasetSizeBytes:long,dataset:string,programId:long,"
                    + "epochs:int,language:string,gas:long,requiredCapacity:long}],"
                    + "active:boolean,attempt:int,"
                    + "members:array<Member{worker:string,rank:int,powerCapacity:long}>,"
                    + "processSent:boolean,opening:int,pendingKey:[null,string],replanOf:int,"
                    + "replanEpochs:int,excluded:array<string>,released:array<string>}";

    /** Avro's encoder, buffering a small record before it reaches the byte array. */
    private static final EncoderFactory ENCODERS = new EncoderFactory().configureBufferSize(256);

    /** Avro's decimal(78, 0) holds at most 78 digits. */
    private static final BigInteger FEE_LIMIT = BigInteger.TEN.pow(78);

    private final MasterSerde<PoolJob> avro;
    private final Map<String, byte[]> headers = new ConcurrentHashMap<>();
    private final Serializer<PoolJob> serializer = this::serialize;

    private PoolJobSerde(MasterSerde<PoolJob> avro) {
        checkShape(PoolJobState.getClassSchema());
        this.avro = avro;
    }

    /**
     * Refuses a schema whose fields (names, types, order) are not those this writer encodes.
     *
     * @throws IllegalStateException naming both
     */
    static void checkShape(Schema schema) {
        String shape = shape(schema);
        if (!SHAPE.equals(shape)) {
            throw new IllegalStateException(
                    "PoolJobSerde writes "
                            + SHAPE
                            + " but the schema of "
                            + schema.getName()
                            + " is now "
                            + shape
                            + ": update PoolJobSerde with the schema");
        }
    }

    /** The serde of {@code pool-jobs-store}, sharing the registry client of {@code topics}. */
    static PoolJobSerde of(Topics topics) {
        return new PoolJobSerde(MasterSerde.of(topics, PoolJob.class, PoolJobState.class));
    }

    @Override
    public Serializer<PoolJob> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<PoolJob> deserializer() {
        return avro.deserializer();
    }

    private byte[] serialize(String topic, PoolJob job) {
        if (job == null) {
            return null;
        }
        byte[] header = headers.get(topic);
        if (header == null) {
            // the first of the topic: registers the schema, gives the header
            byte[] bytes = avro.serializer().serialize(topic, job);
            headers.put(topic, Arrays.copyOf(bytes, 5));
            return bytes;
        }
        try {
            return encode(header, job);
        } catch (RuntimeException e) {
            throw new SerializationException(
                    "topic "
                            + topic
                            + ": cannot write PoolJob (Avro "
                            + PoolJobState.getClassSchema().getFullName()
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    private static byte[] encode(byte[] header, PoolJob job) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try {
            BinaryEncoder out = ENCODERS.binaryEncoder(bytes, null);
            out.writeFixed(header);
            if (job.plan == null) {
                out.writeIndex(0); // union branch null
            } else {
                if (job.planAvro == null || job.planAvroOf != job.plan) {
                    job.planAvro = plan(job.plan);
                    job.planAvroOf = job.plan;
                }
                out.writeIndex(1);
                out.writeFixed(job.planAvro); // already encoded: written as it is
            }
            out.writeBoolean(job.active);
            out.writeInt(job.attempt);
            List<Member> members = job.members;
            out.writeArrayStart();
            out.setItemCount(members.size());
            for (Member m : members) {
                out.startItem();
                out.writeString(m.worker());
                out.writeInt(m.rank());
                out.writeLong(m.powerCapacity());
            }
            out.writeArrayEnd();
            out.writeBoolean(job.processSent);
            out.writeInt(job.opening);
            if (job.pendingKey == null) {
                out.writeIndex(0);
            } else {
                out.writeIndex(1);
                out.writeString(job.pendingKey);
            }
            out.writeInt(job.replanOf);
            out.writeInt(job.replanEpochs);
            strings(out, job.excluded);
            strings(out, job.released);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** The Avro encoding of a {@code JobPlan} record. */
    static byte[] plan(JobPlan plan) {
        BigInteger fee = plan.fee();
        if (fee.abs().compareTo(FEE_LIMIT) >= 0) {
            throw new IllegalArgumentException(
                    "fee " + fee + " has more digits than decimal(78, 0) holds");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try {
            BinaryEncoder out = ENCODERS.binaryEncoder(bytes, null);
            out.writeString(plan.jobId());
            // what Avro's DecimalConversion writes for scale 0: the unscaled two's complement
            out.writeBytes(fee.toByteArray());
            out.writeLong(plan.deadlineMs());
            out.writeLong(plan.requestedAtMs());
            out.writeLong(plan.datasetSizeBytes());
            out.writeString(plan.dataset());
            out.writeLong(plan.programId());
            out.writeInt(plan.epochs());
            out.writeString(plan.language());
            out.writeLong(plan.gas());
            out.writeLong(plan.requiredCapacity());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** An array of strings. */
    private static void strings(BinaryEncoder out, List<String> items) throws IOException {
        out.writeArrayStart();
        out.setItemCount(items.size());
        for (String item : items) {
            out.startItem();
            out.writeString(item);
        }
        out.writeArrayEnd();
    }

    /** The schema's fields, types and logical types in order, as {@link #SHAPE} spells them. */
    static String shape(Schema s) {
        return switch (s.getType()) {
            case RECORD ->
                    s.getName()
                            + s.getFields().stream()
                                    .map(f -> f.name() + ":" + shape(f.schema()))
                                    .collect(Collectors.joining(",", "{", "}"));
            case UNION ->
                    s.getTypes().stream()
                            .map(PoolJobSerde::shape)
                            .collect(Collectors.joining(",", "[", "]"));
            case ARRAY -> "array<" + shape(s.getElementType()) + ">";
            case BYTES ->
                    s.getLogicalType() instanceof LogicalTypes.Decimal d
                            ? "decimal(" + d.getPrecision() + "," + d.getScale() + ")"
                            : "bytes";
            default -> s.getType().getName();
        };
    }
}
