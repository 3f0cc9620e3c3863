package io.emeth.master.matching;

import io.emeth.common.config.WorkerTimeouts;
import io.emeth.master.inbox.GoneKind;
import io.emeth.master.inbox.JobMessage;
import io.emeth.schemas.avro.view.WorkerState;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Punctuator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wall-clock punctuator of the pool matcher: marks a worker silent longer than its heartbeat
 * timeout LOST, and drops a busy worker that overran a phase timeout (no data within {@code
 * wait_data}, no training progress within {@code learning}, a checkpoint longer than {@code
 * checkpoint}; each plus one heartbeat timeout, since the master only sees heartbeats). Both tell
 * the worker's job, which continues without it, re-plans or declines.
 *
 * <p>Silence is measured by when the heartbeats reached {@code worker-events} (their record
 * timestamps, the broker's append time) against {@link Pool#livenessNow}: the newest such time
 * processed, moved on by the wall clock only while no fact comes. A master that falls behind {@code
 * worker-events} therefore does not declare LOST the workers whose heartbeats wait in the topic;
 * one whose workers all went silent still does, by the wall clock.
 *
 * <p>Silence before the task started counts from its start: a restarted or migrated master first
 * catches up on the heartbeats it missed.
 *
 * <p>It takes only the workers whose timer is due ({@link Pool#nextCheck}), never a scan of the
 * store; a LOST, LEFT or DISCONNECTED worker's timer is its retention ({@code
 * worker_retention_ms}), after which it is deleted.
 */
final class WorkerWatch implements Punctuator {
    private static final Logger log = LoggerFactory.getLogger(WorkerWatch.class);

    private final Pool pool;
    private final PoolMatching matching;

    WorkerWatch(Pool pool, PoolMatching matching) {
        this.pool = pool;
        this.matching = matching;
    }

    @Override
    public void punctuate(long wallNow) {
        // judged in the clock of the workers' facts, so a lagging master loses no one
        long now = pool.livenessNow(wallNow);
        // while the master lags, silence may be the master's: judged again once caught up
        boolean lagging = pool.lagging();
        List<PoolWorker> lost = new ArrayList<>();
        List<KeyValue<PoolWorker, String>> stragglers = new ArrayList<>();
        for (String key : pool.workerTimers.takeDue(now)) {
            PoolWorker w = pool.known(key);
            if (w == null) {
                continue;
            }
            if (!w.present()) {
                if (now >= pool.nextCheck(w)) {
                    pool.forget(w);
                    log.info(
                            "Forgot a gone worker after its retention [worker:{}, state:{}]",
                            w.worker,
                            w.state);
                } else {
                    pool.workerTimers.atMost(key, pool.nextCheck(w));
                }
                continue;
            }
            long silent = now - pool.seenSince(w.lastSeenAt);
            String problem = w.busy() ? straggling(w, now, pool.config.timeouts(), pool) : null;
            if (silent > w.heartbeatTimeoutMs && lagging) {
                pool.workerTimers.atMost(key, now + pool.config.punctuateInterval().toMillis());
            } else if (silent > w.heartbeatTimeoutMs) {
                lost.add(w);
            } else if (problem != null) {
                stragglers.add(KeyValue.pair(w, problem));
            } else {
                pool.workerTimers.atMost(key, pool.nextCheck(w));
            }
        }
        for (PoolWorker w : lost) {
            String reason =
                    "no heartbeat for more than "
                            + w.heartbeatTimeoutMs
                            + " ms (the worker's heartbeat timeout)";
            PoolProcessor.goAway(pool, w, GoneKind.LOST, reason);
            log.warn("Worker lost [worker:{}, reason:{}]", w.worker, reason);
        }
        for (KeyValue<PoolWorker, String> s : stragglers) {
            PoolWorker w = s.key;
            pool.outbox.toJob(
                    new JobMessage.WorkerGone(
                            w.jobId, w.attempt, w.worker, GoneKind.TIMED_OUT, s.value));
            pool.letGo(w, true);
            pool.release(w, WorkerState.IDLE, s.value, s.value);
            log.warn("Dropped straggler [worker:{}, reason:{}]", w.worker, s.value);
        }
        PoolProcessor.matchFreedPools(pool, matching);
    }

    /** When {@link #straggling} would first answer for a busy worker heard of no more. */
    static long stragglerDueAt(PoolWorker w, WorkerTimeouts t, Pool pool) {
        long slack = w.heartbeatTimeoutMs + 1;
        if (!w.jobId.equals(w.heartbeatJobId)) {
            return pool.seenSince(w.reservedAt) + t.waitData().toMillis() + slack;
        }
        return switch (w.phase) {
            case WAIT_DATA -> pool.seenSince(w.phaseSince) + t.waitData().toMillis() + slack;
            case LEARNING -> pool.seenSince(w.progressAt) + t.learning().toMillis() + slack;
            case CHECKPOINT -> pool.seenSince(w.phaseSince) + t.checkpoint().toMillis() + slack;
            default -> Long.MAX_VALUE;
        };
    }

    /** Why a busy worker overran a phase, or null. */
    static String straggling(PoolWorker w, long now, WorkerTimeouts t, Pool pool) {
        long slack = w.heartbeatTimeoutMs;
        if (!w.jobId.equals(w.heartbeatJobId)) {
            long waited = now - pool.seenSince(w.reservedAt);
            return waited > t.waitData().toMillis() + slack
                    ? overran(
                            w,
                            "did not start the job",
                            waited,
                            "wait_data",
                            t.waitData().toMillis())
                    : null;
        }
        return switch (w.phase) {
            case WAIT_DATA ->
                    check(
                            w,
                            now - pool.seenSince(w.phaseSince),
                            slack,
                            "spent",
                            "WAIT_DATA",
                            "wait_data",
                            t.waitData().toMillis());
            case LEARNING ->
                    check(
                            w,
                            now - pool.seenSince(w.progressAt),
                            slack,
                            "made no training progress",
                            "LEARNING",
                            "learning",
                            t.learning().toMillis());
            case CHECKPOINT ->
                    check(
                            w,
                            now - pool.seenSince(w.phaseSince),
                            slack,
                            "spent",
                            "CHECKPOINT",
                            "checkpoint",
                            t.checkpoint().toMillis());
            default -> null;
        };
    }

    private static String check(
            PoolWorker w,
            long elapsed,
            long slack,
            String verb,
            String phase,
            String key,
            long limit) {
        return elapsed > limit + slack
                ? overran(w, verb + " in " + phase, elapsed, key, limit)
                : null;
    }

    private static String overran(PoolWorker w, String what, long elapsed, String key, long limit) {
        return "worker "
                + w.worker
                + " "
                + what
                + " for "
                + elapsed
                + " ms on job "
                + w.jobId
                + " (timeout."
                + key
                + " = "
                + limit
                + " ms plus its heartbeat timeout)";
    }
}
