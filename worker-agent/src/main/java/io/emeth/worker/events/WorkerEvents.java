package io.emeth.worker.events;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerLeft;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Builds what this worker says about itself on {@code worker-events}: {@code WorkerRegistered}
 * (signed: EIP-191 over {@code keccak256(uint256 signedAt)}, which the master accepts for 60 s),
 * {@code WorkerHeartbeat} and {@code WorkerLeft}.
 */
public final class WorkerEvents {

    private final NodeIdentity identity;
    private final String pool;
    private final Clock clock;

    public WorkerEvents(NodeIdentity identity, String pool, Clock clock) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A registration signed now, advertising the pretrained {@code models} the worker holds. */
    public WorkerEvent registered(
            long powerCapacity,
            String device,
            String url,
            List<String> models,
            Duration heartbeatInterval) {
        long signedAt = clock.millis();
        WorkerRegistered registered =
                WorkerRegistered.newBuilder()
                        .setPowerCapacity(powerCapacity)
                        .setDevice(device)
                        .setUrl(url)
                        .setSignedAt(Instant.ofEpochMilli(signedAt))
                        .setSignature(Signatures.signTimestamp(identity, signedAt))
                        .setHeartbeatIntervalMs(heartbeatInterval.toMillis())
                        .setModels(List.copyOf(models))
                        .build();
        return event(registered, signedAt);
    }

    /** A heartbeat for the worker's status now. */
    public WorkerEvent heartbeat(StatusSnapshot status) {
        WorkerHeartbeat heartbeat =
                WorkerHeartbeat.newBuilder()
                        .setPhase(status.phase())
                        .setJobId(status.jobId())
                        .setAttempt(status.attempt())
                        .setEpoch(status.epoch())
                        .setProgress(clamp(status.progress()))
                        .build();
        return event(heartbeat, clock.millis());
    }

    public WorkerEvent left(String reason) {
        return event(WorkerLeft.newBuilder().setReason(reason).build(), clock.millis());
    }

    public String address() {
        return identity.address();
    }

    private WorkerEvent event(Object payload, long at) {
        return WorkerEvent.newBuilder()
                .setWorker(identity.address())
                .setPool(pool)
                .setAt(Instant.ofEpochMilli(at))
                .setPayload(payload)
                .build();
    }

    private static double clamp(double progress) {
        return Double.isFinite(progress) ? Math.max(0, Math.min(1, progress)) : 0;
    }

    /**
     * What a heartbeat reports.
     *
     * @param phase the worker's phase
     * @param jobId its job, or null
     * @param attempt the job's attempt, or null
     * @param epoch the epoch it works on, or null
     * @param progress progress through the phase, 0..1
     */
    public record StatusSnapshot(
            WorkerPhase phase, String jobId, Integer attempt, Integer epoch, double progress) {
        /** No job. */
        public static final StatusSnapshot NONE =
                new StatusSnapshot(WorkerPhase.NONE, null, null, null, 0);

        public StatusSnapshot {
            Objects.requireNonNull(phase, "phase");
        }
    }
}
