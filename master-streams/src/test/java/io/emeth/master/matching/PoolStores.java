package io.emeth.master.matching;

import io.emeth.master.avro.MasterSerde;
import io.emeth.master.testing.MockStores;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.master.PoolWorkerState;
import org.apache.kafka.streams.processor.api.MockProcessorContext;

/** The pool matcher's two stores, in memory, for a {@link PoolProcessor} on a mock context. */
final class PoolStores {

    private PoolStores() {}

    /** Adds the workers and jobs stores with the serdes {@link PoolProcessor}'s topology uses. */
    static void add(MockProcessorContext<?, ?> context, Topics topics) {
        MockStores.add(
                context,
                PoolProcessor.WORKERS_STORE,
                MasterSerde.of(topics, PoolWorker.class, PoolWorkerState.class));
        MockStores.add(context, PoolProcessor.JOBS_STORE, PoolJobSerde.of(topics));
    }
}
