package io.emeth.master.testing;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;

/** In-memory key-value stores for processors driven with {@link MockProcessorContext}. */
public final class MockStores {

    private MockStores() {}

    /** Adds an in-memory store {@code name} with string keys, without a changelog. */
    public static <V> void add(MockProcessorContext<?, ?> context, String name, Serde<V> values) {
        StateStore store =
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                        .withLoggingDisabled()
                        .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }
}
