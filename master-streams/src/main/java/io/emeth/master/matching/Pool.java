package io.emeth.master.matching;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.rules.JobMath;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The pool matcher's state with its invariants: a worker is in the free index exactly while it is
 * IDLE, and the pool's free counters follow the index. Every handler and punctuator of the pool
 * changes workers through {@link #save}, {@link #reserved} and {@link #release}, never through the
 * stores directly.
 *
 * <p>Persisted are facts only: the worker registry ({@code pool-workers-store}, written when a
 * worker registers, changes phase or goes away) and one record per job ({@code pool-jobs-store},
 * whose reservation says which workers it holds). Reserving and releasing a worker writes no worker
 * record: which job holds a worker (RESERVED or TRAINING) is derived from the jobs' reservations
 * when the task starts ({@link #load}), so a restart or a rebalance rebuilds the same state.
 */
final class Pool {
    static final String WORKERS_STORE = "pool-workers-store";
    static final String JOBS_STORE = "pool-jobs-store";

    final MasterStreamsConfig config;
    final Outbox outbox;
    final KeyValueStore<String, PoolWorker> workers;
    final KeyValueStore<String, PoolJob> jobs;

    /**
     * When this task (re)started: silence before it is the master's, not the workers'. Kafka
     * Streams sets a task's clock only when the task first processes a record or punctuates, so a
     * task created by a restart or a rebalance sees 0 in {@code init}; then the first record or
     * punctuation fixes the start ({@link #running}).
     */
    private long initAt;

    private Set<String> poolsToMatch = new LinkedHashSet<>();
    private final Map<String, FreeIndex> freeIndexes = new HashMap<>();
    private final Map<String, PendingIndex> pendingIndexes = new HashMap<>();

    /**
     * Every worker of the store by pool, then address, loaded once when the task starts: handlers
     * read and change these objects, a heartbeat that changes nothing a reader sees stays here
     * (liveness is kept in memory), and {@link #save} writes the store only on a change. Looked up
     * by the addresses the messages carry, so no store key is built per lookup.
     */
    private final Map<String, Map<String, PoolWorker>> known = new HashMap<>();

    /** When each worker must be checked next (lost, straggling, or gone long enough to delete). */
    final DueTimers workerTimers = new DueTimers();

    /** When each pending job's deadline margin passes, by pending key. */
    final DueTimers pendingTimers = new DueTimers();

    Pool(ProcessorContext<String, Object> context, MasterStreamsConfig config) {
        this.config = config;
        this.outbox = new Outbox(context);
        this.workers = context.getStateStore(WORKERS_STORE);
        this.jobs = context.getStateStore(JOBS_STORE);
        this.initAt = context.currentSystemTimeMs();
        load();
    }

    /** Rebuilds the in-memory state from the stores: one scan of each, at task start. */
    private void load() {
        try (KeyValueIterator<String, PoolWorker> it = workers.all()) {
            while (it.hasNext()) {
                KeyValue<String, PoolWorker> kv = it.next();
                PoolWorker w = kv.value;
                if (!w.present() && w.goneAt == 0) {
                    w.goneAt = Math.max(w.viewAt, w.lastSeenAt); // stored before goneAt existed
                }
                workersOf(w.pool).put(w.worker, w);
            }
        }
        try (KeyValueIterator<String, PoolJob> it = jobs.all()) {
            while (it.hasNext()) {
                KeyValue<String, PoolJob> kv = it.next();
                PoolJob job = kv.value;
                String pool = kv.key.substring(0, kv.key.indexOf(PoolKeys.SEP));
                stored(pool).add(job.plan.jobId());
                if (job.active) {
                    inPool(activeJobs, pool).put(job.plan.jobId(), job);
                }
                if (job.pendingKey != null) {
                    // R is a lower bound of what the job needs; matching raises it when it tries
                    addPending(
                            pool,
                            job.pendingKey,
                            job.plan.deadlineMs(),
                            Math.max(1, job.plan.requiredCapacity()));
                    if (job.replanOf > 0) {
                        pendingTimers.atMost(
                                job.pendingKey, PoolReplanner.giveUpAt(job, job.replanEpochs));
                    }
                }
            }
        }
        applyReservations();
        for (Map<String, PoolWorker> ofPool : known.values()) {
            for (PoolWorker w : ofPool.values()) {
                workerTimers.atMost(w.key(), nextCheck(w));
                if (w.state == WorkerState.IDLE) {
                    freeIndex(w.pool).add(w.worker, w.powerCapacity);
                }
            }
        }
    }

    /**
     * Sets each present worker's job from the jobs' reservations, whatever its record said (records
     * are not written on reservations and releases): a member of an active job's attempt not let go
     * is RESERVED for it (TRAINING when its record, written by a heartbeat, says it trains that
     * attempt), any other present worker is IDLE. A reservation counts from the task's start.
     */
    private void applyReservations() {
        Set<PoolWorker> held = new HashSet<>(); // by identity
        activeJobs.forEach(
                (pool, ofPool) -> {
                    for (PoolJob job : ofPool.values()) {
                        holdMembers(pool, job, held);
                    }
                });
        for (Map<String, PoolWorker> ofPool : known.values()) {
            for (PoolWorker w : ofPool.values()) {
                if (w.busy() && !held.contains(w)) {
                    w.state = WorkerState.IDLE;
                    w.jobId = null;
                    w.attempt = 0;
                    w.rank = 0;
                }
            }
        }
    }

    /** Marks the members the job holds RESERVED (or TRAINING) for it; see {@link #load}. */
    private void holdMembers(String pool, PoolJob job, Set<PoolWorker> held) {
        String jobId = job.plan.jobId();
        for (Member m : job.members) {
            PoolWorker w = worker(pool, m.worker());
            if (w == null || !w.present() || !job.holds(m.worker())) {
                continue;
            }
            boolean training =
                    w.state == WorkerState.TRAINING
                            && jobId.equals(w.jobId)
                            && w.attempt == job.attempt;
            w.state = training ? WorkerState.TRAINING : WorkerState.RESERVED;
            w.jobId = jobId;
            w.attempt = job.attempt;
            w.rank = m.rank();
            w.reservedAt = 0; // seenSince: the task's start
            held.add(w);
        }
    }

    private Map<String, PoolWorker> workersOf(String pool) {
        return known.computeIfAbsent(pool, p -> new HashMap<>());
    }

    /**
     * When the worker must be checked next: a present one when its heartbeat timeout or (busy) its
     * phase timeout would pass if nothing is heard, a gone one when its retention ends. Never later
     * than the real time: heartbeats only move these times forward, so a timer fires early at worst
     * and is set again.
     */
    long nextCheck(PoolWorker w) {
        if (!w.present()) {
            return w.goneAt + config.retention().workers().toMillis();
        }
        long due = seenSince(w.lastSeenAt) + w.heartbeatTimeoutMs + 1;
        if (w.busy()) {
            due = Math.min(due, WorkerWatch.stragglerDueAt(w, config.timeouts(), this));
        }
        return due;
    }

    long now() {
        return outbox.now();
    }

    /** The newest arrival time of a worker's fact this task processed; 0 before the first. */
    private long newestFact;

    /** The wall clock when this task last processed a worker's fact. */
    private long factProcessedAt;

    /** How old the last worker fact was when this task processed it (its lag), in ms. */
    private long factLag;

    /**
     * A worker fact processed later than this after it reached Kafka means the master lags behind
     * {@code worker-events}: no worker is declared LOST until it has caught up.
     */
    static final long LAGGING_MS = 10_000;

    /**
     * The least {@link #factLag} seen by this task: the broker's and this host's clocks may differ
     * by a constant, which is not lag.
     */
    private long leastFactLag = Long.MAX_VALUE;

    /** Notes a worker's fact that reached {@code worker-events} at {@code arrivedAt}. */
    void factSeen(long arrivedAt) {
        newestFact = Math.max(newestFact, arrivedAt);
        factProcessedAt = now();
        factLag = factProcessedAt - arrivedAt;
        leastFactLag = Math.min(leastFactLag, factLag);
    }

    /**
     * Whether the master lags behind {@code worker-events}: the last worker fact it processed had
     * waited more than {@link #LAGGING_MS} longer than the quickest one (so a constant skew between
     * the broker's clock and this host's is not taken for lag). The partitions of {@code
     * worker-events} are processed independently, so while lagging one may be far ahead of another,
     * and the newest fact says nothing about the workers of the partition behind.
     */
    boolean lagging() {
        return newestFact > 0 && factLag - leastFactLag > LAGGING_MS;
    }

    /**
     * The clock liveness is judged by: the newest arrival time of a worker's fact processed, moved
     * on by the wall-clock time since it was processed; never after {@code wallNow}. A master that
     * lags behind {@code worker-events} keeps processing old facts, so this clock lags with it and
     * no worker is lost for the master's own delay; a master that is idle (no fact comes, e.g.
     * every worker died) sees it move with the wall clock.
     */
    long livenessNow(long wallNow) {
        if (newestFact <= 0) {
            return wallNow;
        }
        return Math.min(wallNow, newestFact + Math.max(0, wallNow - factProcessedAt));
    }

    /** Called whenever the task runs: fixes its start the first time the clock is set. */
    void running() {
        if (initAt <= 0) {
            initAt = now();
        }
    }

    /** {@code time}, or the task's start when the master was not running at {@code time}. */
    long seenSince(long time) {
        running();
        return Math.max(time, initAt);
    }

    PoolWorker worker(String pool, String worker) {
        Map<String, PoolWorker> ofPool = known.get(pool);
        return ofPool == null ? null : ofPool.get(worker);
    }

    /** The worker of a store key ({@link PoolKeys#worker}), as the worker timers name it. */
    PoolWorker known(String key) {
        int sep = key.indexOf(PoolKeys.SEP);
        return worker(key.substring(0, sep), key.substring(sep + 1));
    }

    /** A heartbeat that changed nothing a reader sees: kept in memory, timer set if missing. */
    void touch(PoolWorker w) {
        workersOf(w.pool).put(w.worker, w);
        workerTimers.atMost(w.key(), nextCheck(w));
    }

    /** Deletes a worker gone longer than its retention (its last view stays on worker-status). */
    void forget(PoolWorker w) {
        workers.put(w.key(), null); // a delete that does not read the old value back
        workersOf(w.pool).remove(w.worker);
        workerTimers.cancel(w.key());
    }

    /**
     * Stores a change of the worker's own facts (registration, phase, gone), moving it in or out of
     * the free index; optionally emits its view.
     */
    void save(PoolWorker w, boolean emitView) {
        apply(w, emitView);
        workers.put(w.key(), w);
    }

    /**
     * A worker reserved for a job or freed from it: the free index, its timer and its view change,
     * its record is not written (the job's reservation is the fact, see {@link #load}).
     */
    void reserved(PoolWorker w) {
        apply(w, true);
    }

    private void apply(PoolWorker w, boolean emitView) {
        if (w.state != WorkerState.IDLE) {
            freeIndex(w.pool).remove(w.worker);
        } else if (freeIndex(w.pool).add(w.worker, w.powerCapacity)) {
            poolsToMatch.add(w.pool);
        }
        long now = now();
        if (emitView) {
            w.viewAt = now;
            outbox.workerView(view(w, now));
        }
        Map<String, PoolWorker> ofPool = workersOf(w.pool);
        if (ofPool.get(w.worker) != w) {
            ofPool.put(w.worker, w); // a new worker (a reservation's or release's is known)
        }
        workerTimers.atMost(w.key(), nextCheck(w));
    }

    /** Whether the pool's worker holds {@code model} (see {@link PoolWorker#holds}). */
    boolean holds(String pool, String worker, String model) {
        if (model == null) {
            return true;
        }
        PoolWorker w = worker(pool, worker);
        return w != null && PoolWorker.holds(w.models, model);
    }

    /** The model a job fine-tunes, from the {@code models} table; null when none is set. */
    String modelOf(JobPlan plan) {
        return config.models().modelFor(plan.programId(), plan.language());
    }

    /**
     * Frees a busy worker from its job into {@code to}; with a {@code cancelReason} the worker is
     * told to stop its training. Freed into IDLE, only memory and the view change (the job's
     * reservation, released or let go by the caller, is the fact); gone, its record is written.
     */
    void release(PoolWorker w, WorkerState to, String lastError, String cancelReason) {
        if (cancelReason != null && w.jobId != null) {
            outbox.assignment(
                    AssignmentFactory.canceled(w.worker, w.jobId, w.attempt, cancelReason));
        }
        boolean gone = !(to == WorkerState.IDLE || to == WorkerState.RESERVED);
        if (w.present() && gone) {
            w.goneAt = now();
        }
        w.state = to;
        w.jobId = null;
        w.attempt = 0;
        w.rank = 0;
        w.lastError = lastError;
        if (gone) {
            save(w, true);
        } else {
            reserved(w);
        }
    }

    /**
     * Takes a busy worker out of its job's reservation while the job goes on (dropped, failed,
     * lost, left), before it is released; {@code exclude}: re-plans never take it back.
     */
    void letGo(PoolWorker w, boolean exclude) {
        if (!w.busy()) {
            return;
        }
        PoolJob job = job(w.pool, w.jobId);
        if (job == null) {
            return;
        }
        boolean changed = false;
        if (exclude && !job.excluded.contains(w.worker)) {
            job.excluded.add(w.worker);
            changed = true;
        }
        if (job.holds(w.worker)) {
            job.released.add(w.worker);
            changed = true;
        }
        if (changed) {
            saveJob(w.pool, job);
        }
    }

    /** The pool's free workers counted: a snapshot. */
    PoolStats stats(String pool) {
        return freeIndex(pool).stats();
    }

    /** The pool's free workers in memory, strongest first. */
    private FreeIndex freeIndex(String pool) {
        return freeIndexes.computeIfAbsent(pool, p -> new FreeIndex());
    }

    /** The pool's pending jobs in memory, highest fee first, with what each needs. */
    PendingIndex pendingIndex(String pool) {
        return pendingIndexes.computeIfAbsent(pool, p -> new PendingIndex());
    }

    /**
     * Puts a job into the pending index with a lower bound of its need, with a timer for its
     * deadline margin, and marks the pool for the next matching pass.
     */
    void addPending(String pool, String pendingKey, long deadlineMs, long need) {
        pendingIndex(pool).put(pendingKey, deadlineMs, need);
        pendingTimers.atMost(pendingKey, deadlineMs - JobMath.DEADLINE_MARGIN_MS);
        poolsToMatch.add(pool);
    }

    void removePending(String pool, String pendingKey) {
        pendingIndex(pool).remove(pendingKey);
        pendingTimers.cancel(pendingKey);
    }

    /** The capacity of the pool's strongest free worker, 0 when none is free. */
    long strongestFree(String pool) {
        return freeIndex(pool).strongest();
    }

    /** Free workers of the pool, strongest first. */
    Iterator<Candidate> freeWorkers(String pool) {
        return freeIndex(pool).strongestFirst();
    }

    /**
     * Jobs changed while handling the current record, by store key, written once when it is done
     * ({@link #flushJobs}): a job opened and matched by the same record is written once, not
     * written, read back and written again.
     */
    private final Map<String, PoolJob> unsavedJobs = new LinkedHashMap<>();

    /**
     * Jobs holding workers, by pool and id: at most one per busy worker, so bounded by the pool's
     * size. A release reads its job here instead of deserialising it from the store.
     */
    private final Map<String, Map<String, PoolJob>> activeJobs = new HashMap<>();

    /**
     * Jobs saved or read since the last matching pass, by pool and id ({@link #endPass}): a job
     * opened by a record and matched by the next pass is not read back from the store.
     */
    private final Map<String, Map<String, PoolJob>> recentJobs = new HashMap<>();

    /**
     * The ids of the jobs in the store (pending or holding workers), by pool: a new job's request
     * reads nothing from the store to learn that it is new.
     */
    private final Map<String, Set<String>> storedJobs = new HashMap<>();

    PoolJob job(String pool, String jobId) {
        PoolJob held = inPool(activeJobs, pool).get(jobId);
        if (held == null) {
            held = inPool(recentJobs, pool).get(jobId);
        }
        if (held != null || !stored(pool).contains(jobId)) {
            return held;
        }
        PoolJob read = jobs.get(PoolKeys.job(pool, jobId));
        if (read != null) {
            inPool(recentJobs, pool).put(jobId, read);
        }
        return read;
    }

    void saveJob(String pool, PoolJob job) {
        String jobId = job.plan.jobId();
        unsavedJobs.put(job.key(pool), job);
        inPool(recentJobs, pool).put(jobId, job);
        stored(pool).add(jobId);
        if (job.active) {
            inPool(activeJobs, pool).put(jobId, job);
        } else {
            inPool(activeJobs, pool).remove(jobId);
        }
    }

    void deleteJob(String pool, PoolJob job) {
        if (job.pendingKey != null) {
            removePending(pool, job.pendingKey);
            job.pendingKey = null;
        }
        String jobId = job.plan.jobId();
        String key = job.key(pool);
        unsavedJobs.remove(key);
        inPool(activeJobs, pool).remove(jobId);
        inPool(recentJobs, pool).remove(jobId);
        stored(pool).remove(jobId);
        jobs.put(key, null); // a delete that does not read the old value back
    }

    /** Writes the jobs changed by the record or punctuation just handled. */
    void flushJobs() {
        if (!unsavedJobs.isEmpty()) {
            unsavedJobs.forEach(jobs::put);
            unsavedJobs.clear();
        }
    }

    /**
     * After a matching pass: writes what changed, and keeps in memory only jobs holding workers.
     */
    void endPass() {
        flushJobs();
        for (Map<String, PoolJob> ofPool : recentJobs.values()) {
            ofPool.clear();
        }
    }

    private static Map<String, PoolJob> inPool(
            Map<String, Map<String, PoolJob>> jobs, String pool) {
        return jobs.computeIfAbsent(pool, p -> new HashMap<>());
    }

    private Set<String> stored(String pool) {
        return storedJobs.computeIfAbsent(pool, p -> new HashSet<>());
    }

    /**
     * The pools whose free capacity grew or that got a pending job since the last call; matching
     * should run for them.
     */
    Set<String> takePoolsToMatch() {
        if (poolsToMatch.isEmpty()) {
            return Set.of();
        }
        Set<String> out = poolsToMatch;
        poolsToMatch = new LinkedHashSet<>();
        return out;
    }

    /** The worker's {@code worker-status} view: set field by field, no builder (one per change). */
    static WorkerView view(PoolWorker w, long now) {
        boolean busy = w.jobId != null;
        WorkerView v = new WorkerView();
        v.setWorker(w.worker);
        v.setPool(w.pool);
        v.setState(w.state);
        v.setPowerCapacity(w.powerCapacity);
        v.setDevice(w.device == null ? "" : w.device);
        v.setUrl(w.url == null ? "" : w.url);
        v.setPhase(w.phase == null ? WorkerPhase.NONE : w.phase);
        v.setJobId(w.jobId);
        v.setLastHeartbeatAt(w.heartbeatAt == null ? null : Instant.ofEpochMilli(w.heartbeatAt));
        v.setUpdatedAt(Instant.ofEpochMilli(now));
        v.setAttempt(busy ? w.attempt : null);
        v.setEpoch(busy ? w.epoch : null);
        v.setProgress(w.progress);
        v.setLastError(w.lastError);
        return v;
    }
}
