package io.emeth.admin;

import io.emeth.schemas.EventSamples;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.view.ContributionStatus;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.JobWorker;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** Views and events with chosen ids, built on the schemas' samples, for the admin-rpc tests. */
public final class Seeds {
    public static final String NODE = EventSamples.NODE;
    public static final String WORKER = EventSamples.WORKER;
    public static final String WORKER_2 = EventSamples.WORKER_2;
    public static final BigDecimal TWENTY_EMT = new BigDecimal("20000000000000000000");
    public static final Instant AT = EventSamples.AT;

    private Seeds() {}

    /** A job id from a number: 0x + 32 hex digits. */
    public static String jobId(int n) {
        return String.format("0x%032x", n);
    }

    /** A job this node processes in attempt 1, epoch {@code epoch} of 3, with losses. */
    public static JobView job(String jobId, JobState state, JobStatus chain, Double... losses) {
        return JobView.newBuilder(EventSamples.jobView())
                .setJobId(jobId)
                .setState(state)
                .setChainStatus(chain)
                .setFee(TWENTY_EMT)
                .setDatasetSizeBytes(5L * 1_048_576 + 17)
                .setEpoch(Math.max(1, losses.length))
                .setEpochs(3)
                .setLosses(List.of(losses))
                .setWorkers(
                        List.of(
                                JobWorker.newBuilder()
                                        .setWorker(WORKER)
                                        .setRank(0)
                                        .setStatus(ContributionStatus.NONE)
                                        .setStartedAt(AT)
                                        .setEndedAt(null)
                                        .setContribution(0)
                                        .build()))
                .build();
    }

    /** A job seen on chain that this node did not take (attempt 0). */
    public static JobView requested(String jobId) {
        return JobView.newBuilder(EventSamples.jobView())
                .setJobId(jobId)
                .setState(JobState.INELIGIBLE)
                .setChainStatus(JobStatus.REQUESTED)
                .setAttempt(0)
                .setWorkers(List.of())
                .setEpoch(0)
                .setLosses(List.of())
                .setNode(null)
                .setLastError("fee 50 EMT is above max_fee 30 EMT")
                .build();
    }

    /** A worker of {@code pool}; a TRAINING one works on the sample job, others have none. */
    public static WorkerView worker(String address, String pool, WorkerState state) {
        boolean busy = state == WorkerState.TRAINING;
        return WorkerView.newBuilder(EventSamples.workerView())
                .setWorker(address)
                .setPool(pool)
                .setState(state)
                .setUrl("http://10.0.0." + (address.hashCode() & 0x7f) + ":5000")
                .setPhase(busy ? WorkerPhase.LEARNING : WorkerPhase.NONE)
                .setJobId(busy ? EventSamples.JOB_ID : null)
                .setAttempt(busy ? 1 : null)
                .setEpoch(busy ? 2 : null)
                .setProgress(busy ? 0.5 : null)
                .build();
    }

    public static TrainingEvent shard(String jobId, String worker, int epoch, double loss) {
        return event(
                jobId,
                worker,
                ShardTrained.newBuilder()
                        .setEpoch(epoch)
                        .setRank(0)
                        .setModel(model("shard-" + epoch))
                        .setLoss(loss)
                        .setTokens(4_096L)
                        .setDurationMs(1_000L)
                        .build());
    }

    public static TrainingEvent round(String jobId, int epoch, double validationLoss) {
        return event(
                jobId,
                WORKER,
                RoundAggregated.newBuilder()
                        .setEpoch(epoch)
                        .setGlobalModel(model("global-" + epoch))
                        .setValidationLoss(validationLoss)
                        .setHashChainLink("ab".repeat(32))
                        .setContributors(List.of(WORKER))
                        .setRejectedShards(List.of())
                        .build());
    }

    private static TrainingEvent event(String jobId, String worker, Object payload) {
        return TrainingEvent.newBuilder()
                .setJobId(jobId)
                .setAttempt(1)
                .setWorker(worker)
                .setAt(AT)
                .setSignature("0x" + "5b".repeat(65))
                .setPayload(payload)
                .build();
    }

    private static ModelRef model(String name) {
        return ModelRef.newBuilder()
                .setUri(name)
                .setSha256("00".repeat(32))
                .setSizeBytes(1L)
                .build();
    }
}
