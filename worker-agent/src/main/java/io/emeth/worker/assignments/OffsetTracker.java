package io.emeth.worker.assignments;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which offset of its assignment partition a worker may commit: the first record whose handling has
 * not finished, else the one after the last record read. A {@code TrainingAssigned} counts as
 * handled only when its job ends, so a worker restarted mid-job reads the assignment and the job's
 * rounds again, skips the rounds it already finished (it remembers them on disk) and resumes the
 * open one; a record for another worker or an old attempt is handled at once.
 *
 * <p>Completions may arrive on any thread; {@link #read} and {@link #commitPosition} are called by
 * the reader thread.
 */
public final class OffsetTracker {

    private final TreeMap<Long, AtomicBoolean> open = new TreeMap<>();
    private long next = -1;

    /** The record at {@code offset} was read; it is handled when {@code handled} completes. */
    public synchronized void read(long offset, CompletionStage<?> handled) {
        AtomicBoolean done = new AtomicBoolean();
        open.put(offset, done);
        next = Math.max(next, offset + 1);
        handled.whenComplete((value, error) -> finished(offset));
    }

    /** Reading starts at {@code position} (a committed offset or the end of the partition). */
    public synchronized void startAt(long position) {
        next = Math.max(next, position);
    }

    /** The offset to commit now, or empty before anything was read. */
    public synchronized OptionalLong commitPosition() {
        for (Map.Entry<Long, AtomicBoolean> entry : open.entrySet()) {
            if (!entry.getValue().get()) {
                return OptionalLong.of(entry.getKey());
            }
        }
        return next < 0 ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /** Number of records read whose handling has not finished. */
    public synchronized int pending() {
        return (int) open.values().stream().filter(done -> !done.get()).count();
    }

    private synchronized void finished(long offset) {
        AtomicBoolean done = open.get(offset);
        if (done != null) {
            done.set(true);
        }
        // drop the finished prefix; later finished records stay until everything before is done
        while (!open.isEmpty() && open.firstEntry().getValue().get()) {
            open.pollFirstEntry();
        }
    }
}
