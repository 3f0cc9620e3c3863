package io.emeth.chain.indexer;

import org.apache.avro.specific.SpecificRecord;

/** One record the indexer writes: which topic, its key and its Avro value. */
record Emission(Kind kind, String key, SpecificRecord value) {
    enum Kind {
        JOB_EVENT,
        NODE_EVENT,
        ALERT
    }
}
