package io.emeth.chain.indexer;

import org.apache.avro.specific.SpecificRecord;

/**
 * One record the indexer writes: which topic, its key and its Avro value; {@code bytes} is the
 * value already serialized for its topic (a backfill chunk serializes on the thread that prepares
 * it, not in the commit), null until then.
 */
record Emission(Kind kind, String key, SpecificRecord value, byte[] bytes) {
    enum Kind {
        JOB_EVENT,
        NODE_EVENT,
        ALERT
    }

    Emission(Kind kind, String key, SpecificRecord value) {
        this(kind, key, value, null);
    }

    /** This emission with its value serialized as {@code serialized}. */
    Emission withBytes(byte[] serialized) {
        return new Emission(kind, key, value, serialized);
    }
}
