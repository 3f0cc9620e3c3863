package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IndexCacheTest {
    private KeyValueStore<String, String> store;
    private IndexCache index;

    @BeforeEach
    void init() {
        store =
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore("index"),
                                Serdes.String(),
                                Serdes.String())
                        .withLoggingDisabled()
                        .build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        // another pool's keys around ours must never show
        store.put("a|1", "x");
        store.put("p}", "x");
        index = new IndexCache(store, "p|", 3);
    }

    @Test
    void shouldReadEveryLiveKeyInOrderBeyondItsCapacity() {
        for (int i = 9; i >= 1; i--) {
            index.put("p|" + i, "v" + i);
        }
        assertThat(keys(index.iterator()))
                .containsExactly("p|1", "p|2", "p|3", "p|4", "p|5", "p|6", "p|7", "p|8", "p|9");
    }

    @Test
    void shouldSeeInsertsAndDeletesBelowAndAboveTheCachedBound() {
        for (int i = 1; i <= 6; i++) {
            index.put("p|" + i, "v");
        }
        assertThat(index.iterator().next().key).isEqualTo("p|1"); // caches p|1..p|3
        index.delete("p|1");
        index.put("p|0", "v"); // below the bound: cached
        index.put("p|7", "v"); // above: read from the store later
        index.delete("p|5");
        assertThat(keys(index.iterator()))
                .containsExactly("p|0", "p|2", "p|3", "p|4", "p|6", "p|7");
    }

    @Test
    void shouldSkipEntriesDeletedWhileIterating() {
        for (int i = 1; i <= 5; i++) {
            index.put("p|" + i, "v");
        }
        Iterator<KeyValue<String, String>> it = index.iterator();
        List<String> seen = new ArrayList<>();
        while (it.hasNext()) {
            String key = it.next().key;
            seen.add(key);
            index.delete(key);
            index.delete("p|4");
        }
        assertThat(seen).containsExactly("p|1", "p|2", "p|3", "p|5");
        assertThat(index.iterator().hasNext()).isFalse();
    }

    @Test
    void shouldStartFromTheStoreAfterARestart() {
        for (int i = 1; i <= 4; i++) {
            index.put("p|" + i, "v");
        }
        IndexCache restarted = new IndexCache(store, "p|", 2);
        assertThat(keys(restarted.iterator())).containsExactly("p|1", "p|2", "p|3", "p|4");
    }

    private static List<String> keys(Iterator<KeyValue<String, String>> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(kv -> out.add(kv.key));
        return out;
    }
}
