package io.emeth.worker.presence;

import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.worker.events.EventPublisher;
import io.emeth.worker.events.WorkerEvents;
import io.emeth.worker.events.WorkerEvents.StatusSnapshot;
import io.emeth.worker.phases.StatusBoard;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's voice on {@code worker-events}: registers at start, heartbeats its {@link
 * StatusBoard} every {@code heartbeat_interval_ms} and at once on a change of phase, and registers
 * again when {@link ReRegistration} says so. One thread does all of it, so registration and
 * heartbeats leave in order. On close it says {@code WorkerLeft}, unless a job is running: a worker
 * stopped mid-job stays silent, so a quick restart resumes the job before the master drops it.
 */
public final class Presence implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Presence.class);
    private static final Duration STATUS_POLL = Duration.ofMillis(100);

    /**
     * What the worker declares when it registers.
     *
     * @param models the pretrained checkpoints it holds (directory names in its models_dir)
     */
    public record Declaration(long powerCapacity, String device, String url, List<String> models) {
        public Declaration {
            models = List.copyOf(models);
        }
    }

    private final EventPublisher publisher;
    private final WorkerEvents events;
    private final StatusBoard board;
    private final Declaration declaration;
    private final Duration interval;
    private final ReRegistration policy;
    private final StatusWatch watch;
    private final ScheduledExecutorService thread;
    private volatile long lastHeartbeatMs;

    public Presence(
            EventPublisher publisher,
            WorkerEvents events,
            StatusBoard board,
            Declaration declaration,
            Duration interval,
            Duration registrationRefresh,
            Map<String, Object> kafkaProperties,
            Topic<String, WorkerView> workerStatus) {
        this.publisher = publisher;
        this.events = events;
        this.board = board;
        this.declaration = declaration;
        this.interval = interval;
        long spacing = Math.max(3 * interval.toMillis(), 5_000);
        this.policy =
                new ReRegistration(Math.max(registrationRefresh.toMillis(), spacing), spacing);
        this.watch = new StatusWatch(kafkaProperties, workerStatus, events.address());
        this.thread =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t =
                                    new Thread(
                                            r,
                                            "worker-presence-" + events.address().substring(0, 10));
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** Registers now and heartbeats from now on. */
    public void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        board.onPhaseChange(this::beatNow);
    }

    /**
     * Sends a heartbeat with {@code status} as soon as possible (after a change of phase): the
     * status taken at the change, not when the heartbeat thread gets to it, so that a short phase
     * (a CHECKPOINT followed at once by IDLE) is still reported.
     */
    private void beatNow(StatusSnapshot status) {
        try {
            thread.execute(() -> heartbeat(status));
        } catch (RejectedExecutionException closing) {
            // shutting down: no more heartbeats
        }
    }

    /** Wall-clock time of the last heartbeat sent. */
    public long lastHeartbeatMs() {
        return lastHeartbeatMs;
    }

    private void tick() {
        try {
            WorkerView view = watch.poll(STATUS_POLL);
            Optional<String> reason = policy.reason(System.nanoTime() / 1_000_000, view);
            if (reason.isPresent()) {
                register(reason.get());
            }
            heartbeat();
        } catch (RuntimeException e) {
            log.warn("Heartbeat tick failed [worker:{}, error:{}]", events.address(), e.toString());
        }
    }

    private void register(String reason) {
        publisher.publish(
                events.registered(
                        declaration.powerCapacity(),
                        declaration.device(),
                        declaration.url(),
                        declaration.models(),
                        interval));
        policy.registered(System.nanoTime() / 1_000_000);
        log.info(
                "Registered [worker:{}, reason:{}, powerCapacity:{}, device:{}, models:{}]",
                events.address(),
                reason,
                declaration.powerCapacity(),
                declaration.device(),
                declaration.models());
    }

    private void heartbeat() {
        heartbeat(board.snapshot());
    }

    private void heartbeat(StatusSnapshot status) {
        publisher.publish(events.heartbeat(status));
        lastHeartbeatMs = System.currentTimeMillis();
    }

    @Override
    public void close() {
        close(true);
    }

    /**
     * Stops heartbeating; says {@code WorkerLeft} when {@code sayLeft} (false when a job was
     * running, see the class comment).
     */
    public void close(boolean sayLeft) {
        board.onPhaseChange(status -> {});
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sayLeft) {
            publisher.publish(events.left("worker shut down"));
        } else {
            log.info(
                    "Stopping silently mid-job so a restart resumes it [worker:{}]",
                    events.address());
        }
        watch.close();
    }
}
