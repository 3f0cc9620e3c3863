package io.emeth.master.matching;

import io.emeth.master.avro.MasterSerde;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.master.PoolJobState;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
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
 * looks up) the schema; its 5-byte header is then reused. The encoding follows the Avro
 * specification for the schema's fields in order; the schema is checked against that order when the
 * serde is built ({@link #SHAPE}), so a field added to {@code PoolJobState} stops the master at
 * start until this writer is updated, and a test compares its bytes with {@link MasterSerde}'s. The
 * plan's encoding is kept with the job ({@link PoolJob#planAvro}): a job is written on its request,
 * on its match and on each release of a member, and its plan never changes.
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
        Out out = new Out(256);
        out.raw(header);
        if (job.plan == null) {
            out.varint(0); // union branch null
        } else {
            if (job.planAvro == null || job.planAvroOf != job.plan) {
                job.planAvro = plan(job.plan);
                job.planAvroOf = job.plan;
            }
            out.varint(1);
            out.raw(job.planAvro);
        }
        out.bool(job.active);
        out.varint(job.attempt);
        List<Member> members = job.members;
        if (!members.isEmpty()) {
            out.varint(members.size());
            for (Member m : members) {
                out.string(m.worker());
                out.varint(m.rank());
                out.varint(m.powerCapacity());
            }
        }
        out.varint(0); // end of the array
        out.bool(job.processSent);
        out.varint(job.opening);
        if (job.pendingKey == null) {
            out.varint(0);
        } else {
            out.varint(1);
            out.string(job.pendingKey);
        }
        out.varint(job.replanOf);
        out.varint(job.replanEpochs);
        out.strings(job.excluded);
        out.strings(job.released);
        return out.bytes();
    }

    /** The Avro encoding of a {@code JobPlan} record. */
    static byte[] plan(JobPlan plan) {
        Out out = new Out(128);
        out.string(plan.jobId());
        BigInteger fee = plan.fee();
        if (fee.abs().compareTo(FEE_LIMIT) >= 0) {
            throw new IllegalArgumentException(
                    "fee " + fee + " has more digits than decimal(78, 0) holds");
        }
        byte[] unscaled = fee.toByteArray(); // what Avro's DecimalConversion writes for scale 0
        out.varint(unscaled.length);
        out.raw(unscaled);
        out.varint(plan.deadlineMs());
        out.varint(plan.requestedAtMs());
        out.varint(plan.datasetSizeBytes());
        out.string(plan.dataset());
        out.varint(plan.programId());
        out.varint(plan.epochs());
        out.string(plan.language());
        out.varint(plan.gas());
        out.varint(plan.requiredCapacity());
        return out.bytes();
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

    /** Avro binary encoding into a growing array. */
    private static final class Out {
        private byte[] buf;
        private int pos;

        Out(int size) {
            buf = new byte[size];
        }

        private void room(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        void raw(byte[] bytes) {
            room(bytes.length);
            System.arraycopy(bytes, 0, buf, pos, bytes.length);
            pos += bytes.length;
        }

        void bool(boolean b) {
            room(1);
            buf[pos++] = (byte) (b ? 1 : 0);
        }

        /** An int or a long: zig-zag, then 7 bits a byte, lowest first. */
        void varint(long n) {
            room(10);
            long z = (n << 1) ^ (n >> 63);
            while ((z & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((z & 0x7F) | 0x80);
                z >>>= 7;
            }
            buf[pos++] = (byte) z;
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            raw(utf8);
        }

        /** An array of strings: one block with its count, then the end (an empty one: the end). */
        void strings(List<String> items) {
            if (!items.isEmpty()) {
                varint(items.size());
                for (String s : items) {
                    string(s);
                }
            }
            varint(0);
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, pos);
        }
    }
}
