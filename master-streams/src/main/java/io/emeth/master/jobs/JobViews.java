package io.emeth.master.jobs;

import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.JobWorker;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** Builds the {@code job-status} view of a job from its coordinator record. */
final class JobViews {
    /** A finished share, as the original contributions table counted it. */
    static final int FULL_CONTRIBUTION = 100_000;

    private JobViews() {}

    static JobView view(JobRecord rec) {
        List<JobWorker> workers =
                rec.workers.stream()
                        .map(
                                p ->
                                        JobWorker.newBuilder()
                                                .setWorker(p.worker)
                                                .setRank(p.rank)
                                                .setStatus(p.status)
                                                .setStartedAt(Instant.ofEpochMilli(p.startedAt))
                                                .setEndedAt(
                                                        p.endedAt == null
                                                                ? null
                                                                : Instant.ofEpochMilli(p.endedAt))
                                                .setContribution(contribution(p, rec.epochs))
                                                .build())
                        .toList();
        return JobView.newBuilder()
                .setJobId(rec.jobId)
                .setState(rec.state)
                .setFee(new BigDecimal(rec.fee))
                .setDeadline(Instant.ofEpochMilli(rec.deadlineMs))
                .setDatasetSizeBytes(rec.datasetSizeBytes)
                .setProgramId(rec.programId)
                .setAttempt(rec.attempt)
                .setWorkers(workers)
                .setEpoch(rec.roundEpoch == null ? rec.completedEpochs : rec.roundEpoch)
                .setEpochs(rec.epochs)
                .setLosses(rec.losses)
                .setChainStatus(rec.chainStatus)
                .setNode(rec.node)
                .setUpdatedAt(Instant.ofEpochMilli(rec.updatedAt))
                .setLastError(rec.lastError)
                .setOwner(rec.owner)
                .setDataset(rec.dataset)
                .setRequestedAt(Instant.ofEpochMilli(rec.requestedAtMs))
                .setResultFileName(rec.resultFileName)
                .build();
    }

    /** The share of the job's epochs the worker contributed to, in parts of 100,000. */
    static int contribution(Participant p, int epochs) {
        if (epochs <= 0) {
            return 0;
        }
        return (int) Math.min(FULL_CONTRIBUTION, (long) p.rounds * FULL_CONTRIBUTION / epochs);
    }
}
