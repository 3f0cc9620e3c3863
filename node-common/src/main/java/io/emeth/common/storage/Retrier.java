package io.emeth.common.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded retries with exponential backoff and jitter for one storage call. Retries I/O failures
 * and {@link StorageException#retryable() retryable} answers (5xx, 408, 429); anything else fails
 * at once, since a 4xx will not change by asking again.
 */
final class Retrier {
    private static final Logger log = LoggerFactory.getLogger(Retrier.class);

    /** One attempt; numbered from 1. */
    @FunctionalInterface
    interface Attempt<T> {
        T run(int attempt) throws IOException;
    }

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    Retrier(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    <T> T call(String endpoint, String jobId, Attempt<T> attempt) throws IOException {
        for (int n = 1; ; n++) {
            try {
                return attempt.run(n);
            } catch (StorageException e) {
                if (!e.retryable() || n >= maxAttempts) {
                    throw n > 1 ? withAttempts(e, n) : e;
                }
                backOff(endpoint, jobId, n, e);
            } catch (InterruptedIOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                failOrBackOff(endpoint, jobId, n, e);
            } catch (IOException e) {
                failOrBackOff(endpoint, jobId, n, e);
            }
        }
    }

    private void failOrBackOff(String endpoint, String jobId, int n, IOException e)
            throws IOException {
        if (n >= maxAttempts) {
            throw new StorageException(
                    endpoint, 0, jobId, describe(e) + " (after " + n + " attempts)", true, e);
        }
        backOff(endpoint, jobId, n, e);
    }

    private static StorageException withAttempts(StorageException e, int n) {
        return new StorageException(
                e.endpoint(),
                e.status(),
                e.jobId(),
                e.detail() + " (after " + n + " attempts)",
                e.retryable(),
                e);
    }

    private void backOff(String endpoint, String jobId, int n, IOException cause)
            throws InterruptedIOException {
        long cap =
                Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(n - 1, 20));
        long sleep = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        log.warn(
                "Storage call failed, retrying [endpoint:{}, jobId:{}, attempt:{}/{}, in:{}ms]: {}",
                endpoint,
                jobId,
                n,
                maxAttempts,
                sleep,
                describe(cause));
        try {
            Thread.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException("interrupted while retrying");
            io.initCause(cause);
            throw io;
        }
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
