package io.emeth.worker.jobs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * The one thread a job's steps run on, in the order they were queued: it knows which thread runs a
 * step so that an abort (timeout, cancel, shutdown) can interrupt it, skips queued steps once the
 * job ended, and runs a last cleanup after the step that is running.
 */
final class JobThread {

    /** A step of the job. */
    interface Step {
        void run() throws Exception;
    }

    /** What to do when a step throws. */
    interface Failure {
        void on(String what, Exception error);
    }

    private final ExecutorService executor;
    private volatile Thread running;

    JobThread(String name) {
        this.executor =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, name);
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Queues {@code body}; {@code done} completes after it ran, failed or was skipped because
     * {@code ended} said so.
     */
    void submit(
            String what,
            Step body,
            CompletableFuture<Void> done,
            BooleanSupplier ended,
            Failure onFailure) {
        try {
            executor.execute(() -> run(what, body, done, ended, onFailure));
        } catch (RejectedExecutionException e) {
            done.complete(null);
        }
    }

    private void run(
            String what,
            Step body,
            CompletableFuture<Void> done,
            BooleanSupplier ended,
            Failure onFailure) {
        if (ended.getAsBoolean()) {
            done.complete(null);
            return;
        }
        running = Thread.currentThread();
        try {
            body.run();
        } catch (Exception e) {
            onFailure.on(what, e);
        } finally {
            running = null;
            Thread.interrupted(); // an abort aimed at this step must not hit the next one
            done.complete(null);
        }
    }

    /** Interrupts the running step, unless the caller is that step. */
    void interrupt() {
        Thread t = running;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
    }

    /** Runs {@code cleanup} after the running step, then stops taking steps. */
    void finish(Runnable cleanup) {
        Runnable clean =
                () -> {
                    Thread.interrupted();
                    cleanup.run();
                };
        try {
            executor.execute(clean);
            executor.shutdown();
        } catch (RejectedExecutionException e) {
            clean.run();
        }
    }
}
