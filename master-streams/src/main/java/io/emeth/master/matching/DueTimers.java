package io.emeth.master.matching;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One timer per key in memory, ordered by due time, so that a punctuator takes only what is due
 * instead of scanning a store. A timer may fire early (its owner re-checks and sets it again) but
 * never late: {@link #atMost} keeps the earlier of the current and the new due time.
 */
final class DueTimers {
    private record Timer(long dueAt, String key) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int byTime = Long.compare(dueAt, o.dueAt);
            return byTime != 0 ? byTime : key.compareTo(o.key);
        }
    }

    private final TreeSet<Timer> byDue = new TreeSet<>();
    private final Map<String, Timer> timerOf = new HashMap<>();

    /** Sets the key's timer to {@code dueAt} unless it is already due earlier. */
    void atMost(String key, long dueAt) {
        Timer current = timerOf.get(key);
        if (current != null) {
            if (current.dueAt() <= dueAt) {
                return;
            }
            byDue.remove(current);
        }
        Timer timer = new Timer(dueAt, key);
        byDue.add(timer);
        timerOf.put(key, timer);
    }

    void cancel(String key) {
        Timer current = timerOf.remove(key);
        if (current != null) {
            byDue.remove(current);
        }
    }

    /** Removes and returns the keys due at or before {@code now}, earliest first. */
    List<String> takeDue(long now) {
        List<String> due = new ArrayList<>();
        while (!byDue.isEmpty() && byDue.first().dueAt() <= now) {
            Timer t = byDue.pollFirst();
            timerOf.remove(t.key());
            due.add(t.key());
        }
        return due;
    }

    int size() {
        return timerOf.size();
    }
}
