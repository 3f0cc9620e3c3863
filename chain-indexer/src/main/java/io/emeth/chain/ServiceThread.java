package io.emeth.chain;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the indexer and the gateway share as services on a thread of their own: the back-off between
 * failed cycles and the wait for the thread to stop.
 */
public final class ServiceThread {
    /** The longest pause between two failed cycles. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private ServiceThread() {}

    /**
     * The pause after {@code failures} failed cycles in a row: the poll interval doubled per
     * failure, at least 100 ms and at most {@link #MAX_BACKOFF}.
     */
    public static Duration backoff(Duration pollInterval, int failures) {
        long millis = pollInterval.toMillis() << Math.min(failures, 10);
        return Duration.ofMillis(Math.min(MAX_BACKOFF.toMillis(), Math.max(100, millis)));
    }

    /**
     * Waits up to 15 s for {@code thread} to count {@code stopped} down after being asked to stop,
     * then interrupts it and waits 10 s more.
     */
    public static void awaitStop(Thread thread, CountDownLatch stopped) {
        try {
            if (!stopped.await(15, TimeUnit.SECONDS)) {
                thread.interrupt();
                stopped.await(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
