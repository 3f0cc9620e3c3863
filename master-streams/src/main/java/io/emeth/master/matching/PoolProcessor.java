package io.emeth.master.matching;

import io.emeth.master.avro.MasterSerde;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.GoneKind;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.master.PoolWorkerState;
import io.emeth.schemas.avro.view.WorkerState;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool matcher ({@value #NAME}): consumes {@code pool-inbox} (key: pool id), keeps the pool's
 * worker registry (registrations, heartbeats, leaving, operator disconnects) and its reservations,
 * matches jobs ({@link PoolMatching}) once per {@code match_batch_ms} in a wall-clock punctuator
 * (or after every record when it is 0), and runs two more wall-clock punctuators: {@link
 * WorkerWatch} (lost workers, phase stragglers) and {@link PendingExpiry}. Produces worker
 * assignments, {@code ProcessJob}, {@code worker-status} views and messages to the job coordinator.
 */
public final class PoolProcessor implements Processor<String, PoolMessage, String, Object> {
    public static final String NAME = "pool-matcher";
    public static final String WORKERS_STORE = Pool.WORKERS_STORE;
    public static final String JOBS_STORE = Pool.JOBS_STORE;

    private static final Logger log = LoggerFactory.getLogger(PoolProcessor.class);
    private static final Set<WorkerPhase> WORKING =
            EnumSet.of(
                    WorkerPhase.WAIT_DATA,
                    WorkerPhase.IDLE,
                    WorkerPhase.LEARNING,
                    WorkerPhase.CHECKPOINT);
    private static final Set<WorkerPhase> FAILING =
            EnumSet.of(WorkerPhase.FAILED, WorkerPhase.TIMEOUT, WorkerPhase.SYSTEM_FAILED);

    private final MasterStreamsConfig config;
    private Pool pool;
    private PoolMatching matching;
    private PoolReplanner replanner;
    private boolean matchEachRecord;

    public PoolProcessor(MasterStreamsConfig config) {
        this.config = config;
    }

    /**
     * The stores this processor needs, persistent and changelogged; values in Avro through the
     * registry of {@code topics}. The job store is cached, so that a job opened and matched between
     * two commits reaches its changelog once; the worker store is not (a worker's record is written
     * only when its own facts change: registration, phase, gone; not per reservation).
     */
    public static List<StoreBuilder<?>> stores(Topics topics) {
        return List.of(
                store(
                        WORKERS_STORE,
                        MasterSerde.of(topics, PoolWorker.class, PoolWorkerState.class)),
                store(JOBS_STORE, PoolJobSerde.of(topics)).withCachingEnabled());
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(name), Serdes.String(), values);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        pool = new Pool(context, config);
        matching = new PoolMatching(pool);
        replanner = new PoolReplanner(pool, matching);
        var interval = config.punctuateInterval();
        // records are applied as they come; matching runs once per batch (see architecture.md)
        matchEachRecord = config.matchBatch().isZero();
        if (!matchEachRecord) {
            context.schedule(
                    config.matchBatch(),
                    PunctuationType.WALL_CLOCK_TIME,
                    now -> matchFreedPools(pool, matching));
        }
        context.schedule(
                interval, PunctuationType.WALL_CLOCK_TIME, new WorkerWatch(pool, matching));
        context.schedule(
                interval, PunctuationType.WALL_CLOCK_TIME, new PendingExpiry(pool, matching));
    }

    @Override
    public void process(Record<String, PoolMessage> record) {
        pool.running();
        String poolId = record.key();
        PoolMessage message = record.value();
        if (poolId == null || message == null) {
            return;
        }
        long arrivedAt = record.timestamp() > 0 ? record.timestamp() : pool.now();
        if (message instanceof PoolMessage.WorkerRegistration
                || message instanceof PoolMessage.Heartbeat
                || message instanceof PoolMessage.WorkerLeft) {
            pool.factSeen(arrivedAt);
        }
        if (message instanceof PoolMessage.WorkerRegistration r) {
            onRegistration(poolId, r, arrivedAt);
        } else if (message instanceof PoolMessage.RegistrationRejected r) {
            onRejected(poolId, r);
        } else if (message instanceof PoolMessage.Heartbeat h) {
            onHeartbeat(poolId, h, arrivedAt);
        } else if (message instanceof PoolMessage.Heartbeats batch) {
            for (PoolMessage.ArrivedHeartbeat b : batch.beats()) {
                pool.factSeen(b.arrivedAt());
                onHeartbeat(poolId, b.heartbeat(), b.arrivedAt());
            }
        } else if (message instanceof PoolMessage.WorkerLeft l) {
            onGone(poolId, l.worker(), GoneKind.LEFT, "the worker left: " + l.reason());
        } else if (message instanceof PoolMessage.DisconnectRequested d) {
            onGone(
                    poolId,
                    d.worker(),
                    GoneKind.DISCONNECTED,
                    "disconnected by an operator (" + d.requestedBy() + ")");
        } else if (message instanceof PoolMessage.JobOpened o) {
            matching.onJobOpened(poolId, o.plan(), o.opening());
        } else if (message instanceof PoolMessage.JobReleased r) {
            matching.onJobReleased(poolId, r);
        } else if (message instanceof PoolMessage.WorkerDropped d) {
            matching.onWorkerDropped(poolId, d);
        } else if (message instanceof PoolMessage.ReplanRequested r) {
            replanner.onReplan(poolId, r);
        }
        if (matchEachRecord) {
            matchFreedPools(pool, matching);
        }
        pool.flushJobs();
    }

    /** Runs matching for every pool whose free workers grew. */
    static void matchFreedPools(Pool pool, PoolMatching matching) {
        for (String poolId : pool.takePoolsToMatch()) {
            matching.matchPending(poolId);
        }
        pool.endPass();
    }

    private void onRegistration(String poolId, PoolMessage.WorkerRegistration r, long arrivedAt) {
        PoolWorker w = pool.worker(poolId, r.worker());
        if (w == null) {
            w = new PoolWorker(r.worker(), poolId);
        }
        long now = pool.now();
        w.powerCapacity = r.powerCapacity();
        w.device = r.device();
        w.url = r.url();
        w.models = new java.util.ArrayList<>(r.models());
        // the operator's timeout, stretched to three intervals for a worker that heartbeats slower
        long configured = config.master().workerHeartbeatTimeout().toMillis();
        w.heartbeatTimeoutMs =
                r.heartbeatIntervalMs() == null
                        ? configured
                        : Math.max(configured, 3 * r.heartbeatIntervalMs());
        w.registeredAt = now;
        w.lastSeenAt = Math.max(w.lastSeenAt, arrivedAt);
        w.lastError = null;
        if (!w.busy()) {
            w.state = WorkerState.IDLE;
            w.jobId = null;
        }
        pool.save(w, true);
        log.info(
                "Registered worker [worker:{}, pool:{}, powerCapacity:{}, device:{}, models:{},"
                        + " state:{}]",
                w.worker,
                poolId,
                w.powerCapacity,
                w.device,
                w.models,
                w.state);
    }

    private void onRejected(String poolId, PoolMessage.RegistrationRejected r) {
        PoolWorker known = pool.worker(poolId, r.worker());
        if (known != null) {
            // a forged registration must not unseat the real worker: only note it
            known.lastError = r.reason();
            pool.save(known, true);
            return;
        }
        PoolWorker shown = new PoolWorker(r.worker(), poolId);
        shown.state = WorkerState.REJECTED;
        shown.powerCapacity = r.powerCapacity();
        shown.device = r.device();
        shown.url = r.url();
        shown.lastError = r.reason();
        pool.outbox.workerView(Pool.view(shown, pool.now()));
    }

    /**
     * A heartbeat is judged by when it reached Kafka ({@code arrivedAt}): liveness and phase times
     * are in that clock, see {@link Pool#livenessNow}.
     */
    private void onHeartbeat(String poolId, PoolMessage.Heartbeat h, long arrivedAt) {
        PoolWorker w = pool.worker(poolId, h.worker());
        if (w == null) {
            log.debug("Heartbeat from an unregistered worker [worker:{}]", h.worker());
            return;
        }
        if (!w.present()) {
            String note =
                    "heartbeat ignored: the worker is " + w.state + "; it must register again";
            if (!note.equals(w.lastError)) {
                w.lastError = note;
                pool.save(w, true);
            }
            return;
        }
        long now = arrivedAt;
        boolean changed = w.phase != h.phase() || !Objects.equals(w.heartbeatJobId, h.jobId());
        if (changed) {
            w.phase = h.phase();
            w.phaseSince = now;
            w.progressAt = now;
        } else if (h.progress() != w.progress) {
            w.progressAt = now;
        }
        changed |= !Objects.equals(w.epoch, h.epoch());
        w.progress = h.progress();
        w.heartbeatJobId = h.jobId();
        w.epoch = h.epoch();
        w.heartbeatAt = h.at();
        w.lastSeenAt = Math.max(w.lastSeenAt, now);
        boolean forThisAttempt =
                w.busy()
                        && w.jobId.equals(h.jobId())
                        && (h.attempt() == null || h.attempt() == w.attempt);
        if (forThisAttempt && FAILING.contains(h.phase())) {
            String reason = "worker " + w.worker + " reported phase " + h.phase();
            pool.outbox.toJob(
                    new JobMessage.WorkerGone(
                            w.jobId,
                            w.attempt,
                            w.worker,
                            h.phase() == WorkerPhase.TIMEOUT ? GoneKind.TIMED_OUT : GoneKind.FAILED,
                            reason));
            pool.letGo(w, true);
            pool.release(w, WorkerState.IDLE, reason, null);
            return;
        }
        if (forThisAttempt && w.state == WorkerState.RESERVED && WORKING.contains(h.phase())) {
            w.state = WorkerState.TRAINING;
            changed = true;
        }
        if (changed) {
            pool.save(w, true);
        } else {
            pool.touch(w); // liveness and progress only: memory, no store write, no view
        }
    }

    private void onGone(String poolId, String worker, GoneKind kind, String reason) {
        PoolWorker w = pool.worker(poolId, worker);
        if (w == null || !w.present()) {
            log.info("Ignored {} of an unknown or absent worker [worker:{}]", kind, worker);
            return;
        }
        goAway(pool, w, kind, reason);
        log.info("Worker removed [worker:{}, kind:{}, reason:{}]", worker, kind, reason);
    }

    /** Takes a worker out of the pool (LOST, LEFT, DISCONNECTED), telling its job. */
    static void goAway(Pool pool, PoolWorker w, GoneKind kind, String reason) {
        WorkerState to =
                switch (kind) {
                    case LOST -> WorkerState.LOST;
                    case LEFT -> WorkerState.LEFT;
                    default -> WorkerState.DISCONNECTED;
                };
        if (w.busy()) {
            pool.outbox.toJob(
                    new JobMessage.WorkerGone(w.jobId, w.attempt, w.worker, kind, reason));
            pool.letGo(w, false); // a re-plan may take it back when it returns
        }
        pool.release(w, to, reason, kind == GoneKind.LEFT ? null : reason);
    }
}
