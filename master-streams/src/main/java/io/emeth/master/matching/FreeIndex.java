package io.emeth.master.matching;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * One pool's free (IDLE) workers in memory, strongest first (equal capacities by address), with
 * their count and summed capacity. Derived state: rebuilt from the worker registry when the task
 * starts, never persisted, so a match writes no index and no counter to a store.
 */
final class FreeIndex {
    private static final Comparator<Candidate> STRONGEST_FIRST =
            (a, b) -> {
                int byCapacity = Long.compare(b.powerCapacity(), a.powerCapacity());
                return byCapacity != 0 ? byCapacity : a.worker().compareTo(b.worker());
            };

    private final TreeSet<Candidate> byStrength = new TreeSet<>(STRONGEST_FIRST);
    private final Map<String, Candidate> byWorker = new HashMap<>();
    private long capacity;

    /** Puts the worker in with {@code powerCapacity}; true when it was not free before. */
    boolean add(String worker, long powerCapacity) {
        Candidate now = new Candidate(worker, powerCapacity);
        Candidate before = byWorker.put(worker, now);
        if (before != null) {
            byStrength.remove(before);
            capacity -= before.powerCapacity();
        }
        byStrength.add(now);
        capacity += powerCapacity;
        return before == null;
    }

    void remove(String worker) {
        Candidate before = byWorker.remove(worker);
        if (before != null) {
            byStrength.remove(before);
            capacity -= before.powerCapacity();
        }
    }

    /** Strongest first; not to be held across a change of the index. */
    Iterator<Candidate> strongestFirst() {
        return byStrength.iterator();
    }

    /** The strongest free worker's capacity, 0 when none is free. */
    long strongest() {
        return byStrength.isEmpty() ? 0 : byStrength.first().powerCapacity();
    }

    PoolStats stats() {
        PoolStats s = new PoolStats();
        s.freeCount = byWorker.size();
        s.freeCapacity = capacity;
        return s;
    }
}
