package io.emeth.master.inbox;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.emeth.schemas.avro.WorkerPhase;
import java.util.List;

/**
 * A message to the pool matcher on the internal {@code pool-inbox} topic (key: pool id, so a pool's
 * workers and reservations live in one partition): worker facts checked by the router, operator
 * requests, and the job coordinator's requests to open, release or re-plan a job.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = PoolMessage.WorkerRegistration.class, name = "registration"),
    @JsonSubTypes.Type(value = PoolMessage.RegistrationRejected.class, name = "rejected"),
    @JsonSubTypes.Type(value = PoolMessage.Heartbeat.class, name = "heartbeat"),
    @JsonSubTypes.Type(value = PoolMessage.WorkerLeft.class, name = "left"),
    @JsonSubTypes.Type(value = PoolMessage.DisconnectRequested.class, name = "disconnect"),
    @JsonSubTypes.Type(value = PoolMessage.JobOpened.class, name = "job-opened"),
    @JsonSubTypes.Type(value = PoolMessage.JobReleased.class, name = "job-released"),
    @JsonSubTypes.Type(value = PoolMessage.WorkerDropped.class, name = "worker-dropped"),
    @JsonSubTypes.Type(value = PoolMessage.ReplanRequested.class, name = "replan"),
    @JsonSubTypes.Type(value = PoolMessage.Heartbeats.class, name = "heartbeats")
})
public sealed interface PoolMessage {

    /** A registration whose signature, age, whitelist entry and values were checked. */
    record WorkerRegistration(
            String worker,
            long at,
            long powerCapacity,
            String device,
            String url,
            Long heartbeatIntervalMs,
            List<String> models)
            implements PoolMessage {
        /** {@code models}: the checkpoints the worker holds; none for an older worker. */
        public WorkerRegistration {
            models = models == null ? List.of() : List.copyOf(models);
        }
    }

    /** A registration the router refused, with the reason (forged, stale, not whitelisted…). */
    record RegistrationRejected(
            String worker, long at, String reason, long powerCapacity, String device, String url)
            implements PoolMessage {}

    /** A worker's heartbeat. */
    record Heartbeat(
            String worker,
            long at,
            WorkerPhase phase,
            String jobId,
            Integer attempt,
            Integer epoch,
            double progress)
            implements PoolMessage {}

    /**
     * Heartbeats the router gathered for up to {@code heartbeat_batch_ms}, in the order they
     * reached {@code worker-events}: one inbox record instead of one per heartbeat (10,000 workers
     * heartbeating every 5 s are 2,000 records a second otherwise).
     */
    record Heartbeats(List<ArrivedHeartbeat> beats) implements PoolMessage {
        public Heartbeats {
            beats = List.copyOf(beats);
        }
    }

    /** A heartbeat with when it reached {@code worker-events} (the broker's append time). */
    record ArrivedHeartbeat(Heartbeat heartbeat, long arrivedAt) {}

    /** The worker said it stops. */
    record WorkerLeft(String worker, long at, String reason) implements PoolMessage {}

    /** An operator's {@code disconnect}: remove the worker from the pool. */
    record DisconnectRequested(String worker, String commandId, String requestedBy)
            implements PoolMessage {}

    /**
     * An eligible job to match, for the {@code opening}-th time (1 when requested, one more each
     * time a rewind reopens it): the {@code n} of its {@code ProcessJob}'s command id, so that a
     * re-match is a new command the gateway executes rather than one it answers from its journal.
     */
    record JobOpened(JobPlan plan, int opening) implements PoolMessage {}

    /**
     * The job no longer needs workers (finished, canceled, taken, declined): free them, and when
     * {@code cancelTraining} tell them to stop.
     */
    record JobReleased(String jobId, String reason, boolean cancelTraining)
            implements PoolMessage {}

    /** The coordinator dropped one worker from the attempt (it failed or straggled). */
    record WorkerDropped(String jobId, int attempt, String worker, String reason)
            implements PoolMessage {}

    /**
     * The remaining workers of {@code attempt} cannot meet the deadline: keep those still reserved,
     * add free workers until the remaining epochs fit, as attempt + 1.
     */
    record ReplanRequested(JobPlan plan, int attempt, List<String> keep, int remainingEpochs)
            implements PoolMessage {
        public ReplanRequested {
            keep = List.copyOf(keep);
        }
    }
}
