package io.emeth.master.matching;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A lower bound of the capacity each pending job needs, by pending key: what it needed when last
 * tried, which only grows as its deadline nears (unknown, 0, until first tried). Kept per pool as a
 * multiset too, so that matching learns in O(log n) whether any pending job could fit in the free
 * capacity at all. In memory, rebuilt (as unknown) when the task starts.
 */
final class PendingNeeds {
    private final Map<String, Long> byKey = new HashMap<>();
    private final Map<String, TreeMap<Long, Integer>> byPool = new HashMap<>();

    /** Records what a pending job needed when last tried; -1 forgets the job. */
    void note(String pool, String pendingKey, long need) {
        TreeMap<Long, Integer> needs = byPool.computeIfAbsent(pool, p -> new TreeMap<>());
        Long before = need < 0 ? byKey.remove(pendingKey) : byKey.put(pendingKey, need);
        if (before != null) {
            needs.computeIfPresent(before, (k, n) -> n == 1 ? null : n - 1);
        }
        if (need >= 0) {
            needs.merge(need, 1, Integer::sum);
        }
    }

    /** What the pending job needed when last tried; 0 when unknown. */
    long of(String pendingKey) {
        return byKey.getOrDefault(pendingKey, 0L);
    }

    /** The least need of the pool's pending jobs; 0 when one is unknown or none pends. */
    long least(String pool) {
        TreeMap<Long, Integer> needs = byPool.get(pool);
        return needs == null || needs.isEmpty() ? 0 : needs.firstKey();
    }
}
