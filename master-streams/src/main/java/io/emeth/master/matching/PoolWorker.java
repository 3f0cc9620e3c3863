package io.emeth.master.matching;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.view.WorkerState;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker as its pool's matcher keeps it in {@code pool-workers-store}: what it declared, whether
 * it is free or reserved (and for which job attempt and rank), and what its heartbeats said and
 * when, which the watch punctuator uses to find lost workers and stragglers. Mutable, loaded and
 * saved per record; times are the master's wall clock unless named otherwise.
 */
final class PoolWorker {
    String worker;
    String pool;
    long powerCapacity;
    String device;
    String url;
    WorkerState state;
    String jobId;
    int attempt;
    int rank;
    long registeredAt;
    long reservedAt;
    long lastSeenAt;
    long heartbeatTimeoutMs;
    WorkerPhase phase = WorkerPhase.NONE;
    long phaseSince;
    double progress;
    long progressAt;
    Integer epoch;
    String heartbeatJobId;

    /** The worker's own clock on its latest heartbeat. */
    Long heartbeatAt;

    String lastError;
    long viewAt;

    /** When it became LOST, LEFT or DISCONNECTED; it is deleted a retention later. */
    long goneAt;

    /**
     * The pretrained checkpoints the worker holds; empty for an older worker (see {@link #holds}).
     */
    List<String> models = new ArrayList<>();

    /** Its store key, built once (not stored: the key is the record's). */
    private transient String key;

    PoolWorker() {}

    PoolWorker(String worker, String pool) {
        this.worker = worker;
        this.pool = pool;
    }

    /** Its key in {@code pool-workers-store} ({@link PoolKeys#worker}). */
    String key() {
        if (key == null) {
            key = PoolKeys.worker(pool, worker);
        }
        return key;
    }

    /** Reserved for or training a job. */
    boolean busy() {
        return state == WorkerState.RESERVED || state == WorkerState.TRAINING;
    }

    /** Registered and not gone (free or busy). */
    boolean present() {
        return state == WorkerState.IDLE || busy();
    }

    /**
     * Whether the worker holds {@code model}. A worker that advertises no models (one older than
     * the {@code models} field) is taken to hold any, so that older workers keep getting jobs.
     */
    static boolean holds(List<String> models, String model) {
        return model == null || models == null || models.isEmpty() || models.contains(model);
    }

    boolean heldBy(String job) {
        return busy() && job.equals(jobId);
    }
}
