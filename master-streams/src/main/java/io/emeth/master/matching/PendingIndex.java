package io.emeth.master.matching;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One pool's pending jobs in memory, in fee order (their pending keys: highest fee first, then
 * earliest request), each with a lower bound of the capacity it needs (its {@code R} when loaded,
 * what it needed when last tried after that; a job's need only grows as its deadline nears).
 *
 * <p>A treap keyed by pending key whose nodes also hold the least need of their subtree, so that
 * {@link #first} finds the best job whose need fits a given capacity in O(log n) expected: a
 * subtree whose least need exceeds the capacity is never entered. Derived state: rebuilt from
 * {@code pool-jobs-store} when the task starts, never persisted.
 */
final class PendingIndex {
    /** A pending job: its key, deadline and need (a raised need replaces the entry). */
    static final class Entry {
        final String key;
        final String jobId;
        final long deadlineMs;
        final long need;
        private final int priority;
        private Entry left;
        private Entry right;
        private long leastNeed;

        private Entry(String key, long deadlineMs, long need, int priority) {
            this.key = key;
            this.jobId = PoolKeys.pendingJob(key);
            this.deadlineMs = deadlineMs;
            this.need = need;
            this.priority = priority;
            this.leastNeed = need;
        }
    }

    private final Map<String, Entry> byKey = new HashMap<>();
    private final SplittableRandom random = new SplittableRandom(13);
    private Entry root;

    /** Nodes visited by {@link #first} since creation: what a query cost (for tests). */
    long visited;

    int size() {
        return byKey.size();
    }

    Entry get(String key) {
        return byKey.get(key);
    }

    /** Adds (or replaces) the job under its pending key. */
    void put(String key, long deadlineMs, long need) {
        remove(key);
        Entry e = new Entry(key, deadlineMs, need, random.nextInt());
        byKey.put(key, e);
        root = insert(root, e);
    }

    void remove(String key) {
        if (byKey.remove(key) != null) {
            root = delete(root, key);
        }
    }

    /** Raises what the job is known to need (a need never drops while it waits). */
    void raiseNeed(String key, long need) {
        Entry e = byKey.get(key);
        if (e != null && need > e.need) {
            put(key, e.deadlineMs, need);
        }
    }

    /**
     * The first job in fee order after {@code afterKey} (null: from the start) whose known need is
     * at most {@code capacity}; null when there is none.
     */
    Entry first(long capacity, String afterKey) {
        return first(root, capacity, afterKey);
    }

    private Entry first(Entry n, long capacity, String afterKey) {
        while (n != null) {
            visited++;
            if (n.leastNeed > capacity) {
                return null;
            }
            if (afterKey != null && n.key.compareTo(afterKey) <= 0) {
                n = n.right;
                continue;
            }
            Entry inLeft = first(n.left, capacity, afterKey);
            if (inLeft != null) {
                return inLeft;
            }
            if (n.need <= capacity) {
                return n;
            }
            n = n.right;
        }
        return null;
    }

    private static Entry insert(Entry n, Entry e) {
        if (n == null) {
            return e;
        }
        if (e.key.compareTo(n.key) < 0) {
            n.left = insert(n.left, e);
            if (n.left.priority > n.priority) {
                n = rotateRight(n);
            }
        } else {
            n.right = insert(n.right, e);
            if (n.right.priority > n.priority) {
                n = rotateLeft(n);
            }
        }
        update(n);
        return n;
    }

    private static Entry delete(Entry n, String key) {
        if (n == null) {
            return null;
        }
        int c = key.compareTo(n.key);
        if (c < 0) {
            n.left = delete(n.left, key);
        } else if (c > 0) {
            n.right = delete(n.right, key);
        } else {
            n = merge(n.left, n.right);
            if (n == null) {
                return null;
            }
        }
        update(n);
        return n;
    }

    private static Entry merge(Entry a, Entry b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.priority > b.priority) {
            a.right = merge(a.right, b);
            update(a);
            return a;
        }
        b.left = merge(a, b.left);
        update(b);
        return b;
    }

    private static Entry rotateRight(Entry n) {
        Entry l = n.left;
        n.left = l.right;
        l.right = n;
        update(n);
        update(l);
        return l;
    }

    private static Entry rotateLeft(Entry n) {
        Entry r = n.right;
        n.right = r.left;
        r.left = n;
        update(n);
        update(r);
        return r;
    }

    private static void update(Entry n) {
        long least = n.need;
        if (n.left != null) {
            least = Math.min(least, n.left.leastNeed);
        }
        if (n.right != null) {
            least = Math.min(least, n.right.leastNeed);
        }
        n.leastNeed = least;
    }
}
