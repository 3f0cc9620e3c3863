package io.emeth.worker.events;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Builds the signed {@code training-events} this worker publishes for one job attempt: {@code
 * ShardTrained}, {@code RoundAggregated}, {@code ResultUploaded} and {@code TrainingFailed}, each
 * stamped with the worker's address, the time and its signature ({@link TrainingEventSigning}).
 */
public final class TrainingEvents {

    /** Longest failure reason put in an event; the rest goes to the log. */
    static final int MAX_REASON_CHARS = 2_000;

    private final NodeIdentity identity;
    private final Clock clock;
    private final String jobId;
    private final int attempt;

    public TrainingEvents(NodeIdentity identity, Clock clock, String jobId, int attempt) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.jobId = Objects.requireNonNull(jobId, "jobId");
        this.attempt = attempt;
    }

    public TrainingEvent shardTrained(
            int epoch, int rank, ModelRef model, double loss, long tokens, Duration duration) {
        return signed(
                ShardTrained.newBuilder()
                        .setEpoch(epoch)
                        .setRank(rank)
                        .setModel(model)
                        .setLoss(loss)
                        .setTokens(tokens)
                        .setDurationMs(duration.toMillis())
                        .build());
    }

    public TrainingEvent roundAggregated(
            int epoch,
            ModelRef globalModel,
            double validationLoss,
            String hashChainLink,
            List<String> contributors,
            List<RejectedShard> rejected) {
        return roundAggregated(
                epoch,
                globalModel,
                validationLoss,
                hashChainLink,
                contributors,
                rejected,
                List.of(),
                null);
    }

    /**
     * @param acceptedShards sha256 (hex) of each contributor's shard, in contributors' order
     * @param outerMomentum DiLoCo's momentum after the round, or null for plain averaging
     */
    public TrainingEvent roundAggregated(
            int epoch,
            ModelRef globalModel,
            double validationLoss,
            String hashChainLink,
            List<String> contributors,
            List<RejectedShard> rejected,
            List<String> acceptedShards,
            ModelRef outerMomentum) {
        return signed(
                RoundAggregated.newBuilder()
                        .setEpoch(epoch)
                        .setGlobalModel(globalModel)
                        .setValidationLoss(validationLoss)
                        .setHashChainLink(hashChainLink)
                        .setContributors(List.copyOf(contributors))
                        .setRejectedShards(List.copyOf(rejected))
                        .setAcceptedShards(List.copyOf(acceptedShards))
                        .setOuterMomentum(outerMomentum)
                        .build());
    }

    public TrainingEvent resultUploaded(
            String resultFileName, ModelRef model, String hashChain, Double validationLoss) {
        return signed(
                ResultUploaded.newBuilder()
                        .setResultFileName(resultFileName)
                        .setModel(model)
                        .setHashChain(hashChain)
                        .setValidationLoss(validationLoss)
                        .build());
    }

    /**
     * @param phase the phase that failed or timed out, or null when not phase-specific
     */
    public TrainingEvent failed(int epoch, String reason, WorkerPhase phase) {
        String clipped =
                reason.length() <= MAX_REASON_CHARS
                        ? reason
                        : reason.substring(0, MAX_REASON_CHARS) + "…";
        return signed(
                TrainingFailed.newBuilder()
                        .setEpoch(epoch)
                        .setReason(clipped)
                        .setPhase(phase)
                        .build());
    }

    public String jobId() {
        return jobId;
    }

    public int attempt() {
        return attempt;
    }

    private TrainingEvent signed(Object payload) {
        TrainingEvent unsigned =
                TrainingEvent.newBuilder()
                        .setJobId(jobId)
                        .setAttempt(attempt)
                        .setWorker(identity.address())
                        .setAt(Instant.ofEpochMilli(clock.millis()))
                        .setSignature("")
                        .setPayload(payload)
                        .build();
        return TrainingEventSigning.sign(unsigned, identity);
    }
}
