package io.emeth.master.matching;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A sorted index in a store (one pool's key prefix) with its first entries cached in memory.
 *
 * <p>Matching always reads an index from its head (strongest free worker, highest-fee pending job)
 * and deletes what it takes, so the head of the RocksDB key range fills with tombstones that every
 * new scan from the prefix would step over again until compaction: quadratic work over a long run.
 * The cache holds every live key up to a bound; reads start there and continue in the store
 * strictly after the bound, where a seek skips the tombstones. It is derived state, rebuilt from
 * the store whenever the processor is (re)initialised, and never holds more than {@code capacity}
 * entries between two reads, so memory does not grow with the index.
 */
final class IndexCache {
    private final KeyValueStore<String, String> store;
    private final String prefix;
    private final String prefixEnd;
    private final int capacity;
    private final NavigableMap<String, String> head = new TreeMap<>();

    /** Every live key ≤ bound is in {@link #head}; null before the first load. */
    private String bound;

    /** {@link #head} holds every live key of the prefix. */
    private boolean complete;

    IndexCache(KeyValueStore<String, String> store, String prefix, int capacity) {
        this.store = store;
        this.prefix = prefix;
        // '|' + 1: the first string after every key that starts with prefix ("pool|")
        this.prefixEnd =
                prefix.substring(0, prefix.length() - 1)
                        + (char) (prefix.charAt(prefix.length() - 1) + 1);
        this.capacity = capacity;
    }

    void put(String key, String value) {
        store.put(key, value);
        if (complete || (bound != null && key.compareTo(bound) <= 0)) {
            head.put(key, value);
        }
    }

    void delete(String key) {
        store.delete(key);
        head.remove(key);
    }

    /**
     * The live entries in key order, loaded from the store as the caller advances. Entries deleted
     * while iterating are skipped; the iterator is not thread-safe (neither is a task).
     */
    Iterator<KeyValue<String, String>> iterator() {
        trim();
        return new Iterator<>() {
            private String after;
            private final List<Map.Entry<String, String>> chunk = new ArrayList<>();
            private int at;
            private KeyValue<String, String> next = advance();

            private KeyValue<String, String> advance() {
                while (true) {
                    while (at < chunk.size()) {
                        Map.Entry<String, String> e = chunk.get(at++);
                        if (head.containsKey(e.getKey())) {
                            after = e.getKey();
                            return KeyValue.pair(e.getKey(), e.getValue());
                        }
                    }
                    if (!(after == null ? head : head.tailMap(after, false)).isEmpty()) {
                        refillChunk();
                        continue;
                    }
                    if (complete || !extend()) {
                        return null;
                    }
                    refillChunk();
                }
            }

            private void refillChunk() {
                chunk.clear();
                at = 0;
                chunk.addAll((after == null ? head : head.tailMap(after, false)).entrySet());
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public KeyValue<String, String> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                KeyValue<String, String> out = next;
                next = advance();
                return out;
            }
        };
    }

    /** Loads up to {@code capacity} keys after the bound; false when there were none. */
    private boolean extend() {
        String from = bound == null ? prefix : bound + '\u0000';
        int loaded = 0;
        boolean more = false;
        try (KeyValueIterator<String, String> it = store.range(from, prefixEnd)) {
            while (it.hasNext()) {
                KeyValue<String, String> kv = it.next();
                if (!kv.key.startsWith(prefix)) {
                    break; // the range's inclusive end, never one of ours
                }
                if (loaded == capacity) {
                    more = true;
                    break;
                }
                head.put(kv.key, kv.value);
                bound = kv.key;
                loaded++;
            }
        }
        complete = !more;
        return loaded > 0;
    }

    /** Shrinks the cache back to its capacity, giving up its tail. */
    private void trim() {
        while (head.size() > capacity) {
            head.pollLastEntry();
            complete = false;
            bound = head.lastKey();
        }
    }
}
