package io.emeth.master.errors;

import io.emeth.master.routing.Inputs;
import io.emeth.schemas.avro.master.MasterDeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * How often each input record (topic, partition, offset) made a processor throw, shared by every
 * stream thread of one master so that it survives the thread Kafka Streams replaces after a
 * failure. A record that failed {@link #MAX_ATTEMPTS} times is a poison record: the next time it
 * comes back (Streams retries the task from its last commit), {@link GuardedProcessor} sends it to
 * the dead-letter topic instead of processing it, and the node goes on.
 *
 * <p>The counts live in memory: a restarted master gives a poison record {@link #MAX_ATTEMPTS} more
 * tries. At most {@link #MAX_TRACKED} records are tracked, the oldest forgotten first.
 */
public final class DeadLetters {
    /** Failures after which a record is dead-lettered rather than tried again. */
    public static final int MAX_ATTEMPTS = 3;

    /** The topic, after the topic prefix. */
    public static final String TOPIC = "master-dead-letters";

    static final int MAX_TRACKED = 10_000;

    /** How much of a dead record's value (as text) a letter keeps. */
    static final int MAX_VALUE_CHARS = 16_384;

    private final Map<String, Failure> failures =
            new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Failure> eldest) {
                    return size() > MAX_TRACKED;
                }
            };

    /** The last failure of a record and how many times it failed. */
    record Failure(int attempts, String error) {}

    static String id(String topic, int partition, long offset) {
        return topic + "/" + partition + "@" + offset;
    }

    /** Whether any record failed and is still tracked (a volatile read: cheap per record). */
    private volatile boolean anyFailed;

    /** Whether a record may be poison: false until some record failed. */
    boolean anyFailed() {
        return anyFailed;
    }

    /** Records one more failure of {@code id}; returns the attempts so far. */
    synchronized int failed(String id, Throwable error) {
        anyFailed = true;
        Failure before = failures.get(id);
        int attempts = before == null ? 1 : before.attempts() + 1;
        failures.put(id, new Failure(attempts, describe(error)));
        return attempts;
    }

    /** The failure of a record that reached {@link #MAX_ATTEMPTS}, forgetting it; else null. */
    synchronized Failure takeIfPoison(String id) {
        Failure f = failures.get(id);
        if (f == null || f.attempts() < MAX_ATTEMPTS) {
            return null;
        }
        failures.remove(id);
        anyFailed = !failures.isEmpty();
        return f;
    }

    /** The exception's class and message, and its first frames, for the dead letter. */
    static String describe(Throwable error) {
        StringBuilder out = new StringBuilder(error.toString());
        StackTraceElement[] frames = error.getStackTrace();
        for (int i = 0; i < Math.min(8, frames.length); i++) {
            out.append("\n\tat ").append(frames[i]);
        }
        Throwable cause = error.getCause();
        if (cause != null && cause != error) {
            out.append("\nCaused by: ").append(cause);
        }
        return out.toString();
    }

    /**
     * The dead letter (Avro, like every topic) of {@code record}, which failed with {@code error}.
     */
    public static MasterDeadLetter letter(
            String processor,
            RecordMetadata meta,
            Record<?, ?> record,
            int attempts,
            String error,
            long now) {
        Object value = record.value();
        String text = value instanceof byte[] bytes ? text(bytes) : String.valueOf(value);
        return MasterDeadLetter.newBuilder()
                .setProcessor(processor)
                .setTopic(meta.topic())
                .setPartition(meta.partition())
                .setOffset(meta.offset())
                .setKey(record.key() == null ? null : record.key().toString())
                .setValue(value == null ? null : Inputs.clip(text, MAX_VALUE_CHARS))
                .setTimestamp(Instant.ofEpochMilli(record.timestamp()).toString())
                .setAttempts(attempts)
                .setError(error)
                .setDeadLetteredAt(Instant.ofEpochMilli(now).toString())
                .build();
    }

    /** Undecodable bytes as they are when they are text (such as JSON), else their first in hex. */
    private static String text(byte[] bytes) {
        try {
            String text =
                    StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            if (text.chars().allMatch(c -> c >= ' ' || c == '\n' || c == '\r' || c == '\t')) {
                return text;
            }
        } catch (CharacterCodingException e) {
            // not text
        }
        return "("
                + bytes.length
                + " bytes) "
                + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 256));
    }
}
