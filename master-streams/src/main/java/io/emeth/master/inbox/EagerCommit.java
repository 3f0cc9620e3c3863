package io.emeth.master.inbox;

import java.time.Duration;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Asks Kafka Streams to commit soon after a processor wrote a record that the next step waits for
 * ({@code eager_commit_ms}). Under exactly-once a written record is readable downstream only once
 * its transaction commits, and Streams commits every {@code commit.interval.ms} (100 ms): a job
 * crosses two such hops between its request and its assignment (coordinator → pool inbox, pool →
 * worker-assignments), so it waited up to 200 ms for commits alone. {@link ProcessorContext#commit}
 * makes the thread commit after the record it is processing (with exactly-once v2 a thread commits
 * all its tasks in one transaction).
 *
 * <p>A commit costs a transaction round trip and a marker per written partition, so a thread asks
 * at most once per {@code gap}: a record written sooner after the last request is covered by a
 * one-shot wall-clock punctuator that asks when the gap is over (one written in the same
 * millisecond as a request is taken as covered by it: Streams commits after the processor returns,
 * and a processor writes an assignment per worker in one call). The clock of the last request is
 * per stream thread, since the thread commits every task it runs. Under a steady flow this commits
 * about once per {@code gap}; idle, a lone job's records are committed at once.
 *
 * <p>A commit blocks the thread for a transaction round trip (the producer's flush, then the
 * commit), so a thread that is behind asks for none: while the latest worker event it processed
 * waited more than {@link #BEHIND_MS} in Kafka, or the latest job message its pool processed more
 * than {@link #POOL_BEHIND_MS} since it was written, its records wait for the commit interval as
 * before (on the shared 2-core box, asking every 10 ms or 30 ms cut the burst from about 300 to 73
 * and 129 matches/s: the thread spent its time waiting on commits and fell behind on heartbeats).
 * Off by default ({@code eager_commit_ms} -1) until measured on a box with spare CPU.
 */
public final class EagerCommit {
    /**
     * A thread whose input waited longer than this in Kafka is behind: it asks for no commit beyond
     * the interval's, since each one blocks it for a transaction round trip.
     */
    static final long BEHIND_MS = 100;

    /**
     * A job's message to the pool that waited longer than this since it was written is behind: it
     * waits for the writer's commit (up to {@code commit.interval.ms} while eager commits are off)
     * and then in the pool task's queue.
     */
    static final long POOL_BEHIND_MS = 200;

    /**
     * Per stream thread: [0] when it last asked for a commit (wall clock, ms); [1] how long the
     * latest worker event it processed had waited in Kafka; [2] how long the latest job message the
     * pool processed had waited since it was written.
     */
    private static final ThreadLocal<long[]> THREAD =
            ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE / 2, 0, 0});

    private final ProcessorContext<?, ?> context;
    private final long gapMs;
    private Cancellable deferred;

    /**
     * @param gap at most one request per this interval per thread; negative: never ask
     */
    EagerCommit(ProcessorContext<?, ?> context, Duration gap) {
        this.context = context;
        this.gapMs = gap.toMillis();
    }

    /**
     * Notes how long an input record processed on this thread waited in Kafka ({@code waitedMs}:
     * now less its broker append time): the worker-events router reports every worker event, the
     * bulk of the input, so the latest one says whether the thread keeps up.
     */
    public static void inputWaited(long waitedMs) {
        THREAD.get()[1] = waitedMs;
    }

    /**
     * Notes how long a job's message to the pool ({@code JobOpened}, {@code JobReleased}) waited
     * since the coordinator wrote it: the pool is one task among many on its thread, and Streams
     * gives each task its turn, so the router can keep up while the pool's partition lags.
     */
    public static void poolMessageWaited(long waitedMs) {
        THREAD.get()[2] = waitedMs;
    }

    /** Asks for a commit now, or when the thread's gap is over; nothing while it is behind. */
    void ask() {
        if (gapMs < 0 || deferred != null) {
            return;
        }
        long[] last = THREAD.get();
        if (last[1] > BEHIND_MS || last[2] > POOL_BEHIND_MS) {
            return;
        }
        long now = context.currentSystemTimeMs();
        long since = now - last[0];
        if (since == 0) {
            return; // the commit asked for this very millisecond, after this record, covers it
        }
        if (since >= gapMs || since < 0) {
            last[0] = now;
            context.commit();
            return;
        }
        deferred =
                context.schedule(
                        Duration.ofMillis(gapMs - since),
                        PunctuationType.WALL_CLOCK_TIME,
                        this::askDeferred);
    }

    private void askDeferred(long now) {
        deferred.cancel();
        deferred = null;
        THREAD.get()[0] = now;
        context.commit();
    }
}
