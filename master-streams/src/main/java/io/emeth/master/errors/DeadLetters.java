package io.emeth.master.errors;

import java.util.LinkedHashMap;
import java.util.Map;

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

    /** Records one more failure of {@code id}; returns the attempts so far. */
    synchronized int failed(String id, Throwable error) {
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
}
