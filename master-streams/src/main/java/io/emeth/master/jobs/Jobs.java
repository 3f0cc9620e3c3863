package io.emeth.master.jobs;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.matching.AssignmentFactory;
import io.emeth.master.rules.JobMath;
import io.emeth.schemas.CommandIds;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.view.ContributionStatus;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.worker.RoundOpened;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job coordinator's state and the actions every handler shares: open a round, drop a worker and
 * decide between continuing, re-planning and declining, release the job's workers, submit, decline,
 * and keep the one timer a job can have. Emits through the {@link Outbox}; the caller saves the
 * record.
 */
final class Jobs {
    static final String JOBS_STORE = "job-store";
    static final String TIMERS_STORE = "job-timers-store";
    static final String AGGREGATION_TIMER = "aggregation";
    static final String RESULT_TIMER = "result";

    /** A finished job leaves the store {@code job_retention_ms} after it finished. */
    static final String PURGE_TIMER = "purge";

    private static final Logger log = LoggerFactory.getLogger(Jobs.class);

    final MasterStreamsConfig config;
    final Outbox outbox;
    final KeyValueStore<String, JobRecord> jobs;
    final KeyValueStore<String, String> timers;

    Jobs(ProcessorContext<String, Object> context, MasterStreamsConfig config) {
        this.config = config;
        this.outbox = new Outbox(context);
        this.jobs = context.getStateStore(JOBS_STORE);
        this.timers = context.getStateStore(TIMERS_STORE);
    }

    long now() {
        return outbox.now();
    }

    String poolId() {
        return config.poolId();
    }

    JobRecord load(String jobId) {
        return jobs.get(jobId);
    }

    /**
     * Stores the record and publishes its view; a job that just finished gets its purge timer (its
     * last view stays on the compacted {@code job-status}).
     */
    void save(JobRecord rec) {
        rec.updatedAt = now();
        if (finished(rec.state) && rec.timerDueAt == null) {
            setTimer(rec, PURGE_TIMER, now() + config.retention().jobs().toMillis());
        }
        jobs.put(rec.jobId, rec);
        outbox.jobView(JobViews.view(rec));
    }

    /** Deletes the record and its view (a job whose request a reorg undid). */
    void delete(JobRecord rec) {
        jobs.delete(rec.jobId);
        outbox.jobViewDeleted(rec.jobId);
    }

    /** Stores the record without a new view (nothing a reader of job-status sees changed). */
    void saveQuietly(JobRecord rec) {
        jobs.put(rec.jobId, rec);
    }

    /**
     * States after which the master has nothing left to do for a job. TAKEN is one: if the other
     * node gives the job back after its retention, this master no longer knows it.
     */
    static boolean finished(JobState state) {
        if (state == null) {
            return false;
        }
        return switch (state) {
            case VERIFIED, REJECTED, TIMEOUT, FAILED, DECLINED, CANCELED, TAKEN, INELIGIBLE -> true;
            default -> false;
        };
    }

    void openRound(JobRecord rec, int epoch) {
        rec.roundEpoch = epoch;
        rec.roundParticipants = rec.active().stream().map(Participant::worker).toList();
        rec.roundAggregator = rec.roundParticipants.isEmpty() ? null : rec.roundParticipants.get(0);
        rec.shardsIn = new java.util.ArrayList<>();
        clearTimer(rec);
        sendRound(rec);
        log.info(
                "Opened round [jobId:{}, attempt:{}, epoch:{}, workers:{}]",
                rec.jobId,
                rec.attempt,
                epoch,
                rec.roundParticipants.size());
    }

    /** (Re)sends the open round to its participants, e.g. after one was dropped. */
    void sendRound(JobRecord rec) {
        Participant first = rec.workers.stream().filter(p -> p.rank == 0).findFirst().orElse(null);
        String override =
                first != null && first.worker.equals(rec.roundAggregator)
                        ? null
                        : rec.roundAggregator;
        for (String worker : rec.roundParticipants) {
            RoundOpened round =
                    RoundOpened.newBuilder()
                            .setEpoch(rec.roundEpoch)
                            .setGlobalModel(
                                    rec.globalModel == null ? null : rec.globalModel.toAvro())
                            .setHashChain(rec.hashChain)
                            .setParticipants(rec.roundParticipants)
                            .setAggregator(override)
                            .build();
            outbox.assignment(AssignmentFactory.assignment(worker, rec.jobId, rec.attempt, round));
        }
    }

    /**
     * A participant left the attempt: continue with the rest when their capacity still meets the
     * deadline for the remaining epochs, else ask the pool to re-plan (which declines on failure).
     */
    void dropWorker(JobRecord rec, Participant p, ContributionStatus status, String reason) {
        p.status = status;
        p.endedAt = now();
        rec.lastError = reason;
        rec.roundParticipants =
                rec.roundParticipants.stream().filter(w -> !w.equals(p.worker)).toList();
        if (!rec.training() || rec.replanPending || rec.declinePending) {
            return;
        }
        if (rec.completedEpochs >= rec.epochs && rec.globalModel != null) {
            if (!rec.roundParticipants.contains(rec.roundAggregator)) {
                submitLastGlobalModel(rec);
            }
            return; // training is done; only the result upload was pending
        }
        List<Participant> alive = rec.active();
        int remaining = rec.epochs - rec.completedEpochs;
        boolean fits =
                !alive.isEmpty()
                        && JobMath.meetsDeadline(
                                now(),
                                rec.plan.gas(),
                                rec.activeCapacity(),
                                rec.deadlineMs,
                                remaining,
                                rec.epochs);
        if (fits) {
            continueWithRest(rec, alive);
            return;
        }
        rec.replanPending = true;
        outbox.toPool(
                poolId(),
                new PoolMessage.ReplanRequested(
                        rec.plan,
                        rec.attempt,
                        alive.stream().map(Participant::worker).toList(),
                        remaining));
        log.info(
                "Re-planning job [jobId:{}, attempt:{}, reason:{}]",
                rec.jobId,
                rec.attempt,
                reason);
    }

    private void continueWithRest(JobRecord rec, List<Participant> alive) {
        if (rec.roundEpoch == null || rec.state != JobState.PROCESSING) {
            return; // no round open yet: the first one starts with the rest
        }
        if (!rec.roundParticipants.contains(rec.roundAggregator)) {
            rec.roundAggregator = alive.get(0).worker;
            clearTimer(rec);
        }
        if (rec.roundParticipants.isEmpty()) {
            rec.roundParticipants = alive.stream().map(Participant::worker).toList();
        }
        sendRound(rec);
        armAggregationTimerWhenComplete(rec);
    }

    /**
     * The aggregator trained every epoch but did not upload the result: the last global model,
     * already in storage with its hash-chain link, is submitted instead.
     */
    void submitLastGlobalModel(JobRecord rec) {
        String uri = rec.globalModel.uri();
        rec.lastError =
                "the aggregator "
                        + rec.roundAggregator
                        + " did not upload the result; submitting the last global model "
                        + uri;
        submit(rec, uri);
    }

    /** Starts waiting for the aggregate once every participant's shard is in. */
    void armAggregationTimerWhenComplete(JobRecord rec) {
        if (rec.timerDueAt == null && rec.shardsIn.containsAll(rec.roundParticipants)) {
            setTimer(rec, AGGREGATION_TIMER, now() + resultWait());
        }
    }

    /** How long the aggregator may take: timeout.checkpoint plus the heartbeat timeout. */
    long resultWait() {
        return config.timeouts().checkpoint().toMillis()
                + config.master().workerHeartbeatTimeout().toMillis();
    }

    /** Frees the job's workers in the pool (once), ending every active participation. */
    void release(JobRecord rec, String reason, boolean cancelTraining) {
        if (!rec.released) {
            outbox.toPool(poolId(), new PoolMessage.JobReleased(rec.jobId, reason, cancelTraining));
            rec.released = true;
        }
        for (Participant p : rec.active()) {
            p.endedAt = now();
        }
    }

    void submit(JobRecord rec, String resultFileName) {
        rec.resultFileName = resultFileName;
        rec.state = JobState.SUBMITTING;
        outbox.command(
                command(
                        rec,
                        ChainAction.SUBMIT_RESULT,
                        SubmitResult.newBuilder()
                                .setJobId(rec.jobId)
                                .setResultFileName(resultFileName)
                                .build()));
        clearTimer(rec);
        release(rec, "training finished", false);
        log.info(
                "Submitting result [jobId:{}, attempt:{}, result:{}]",
                rec.jobId,
                rec.attempt,
                resultFileName);
    }

    /** Gives the job back: release now, DeclineJob once the chain shows we process it. */
    void decline(JobRecord rec, String reason) {
        release(rec, reason, true);
        rec.lastError = reason;
        clearTimer(rec);
        if (rec.processingByUs) {
            sendDecline(rec, reason);
        } else {
            rec.declinePending = true;
        }
    }

    void sendDecline(JobRecord rec, String reason) {
        if (rec.declineSent) {
            return;
        }
        rec.declineSent = true;
        rec.declinePending = false;
        outbox.command(
                command(
                        rec,
                        ChainAction.DECLINE_JOB,
                        DeclineJob.newBuilder().setJobId(rec.jobId).setReason(reason).build()));
        log.warn("Declining job [jobId:{}, reason:{}]", rec.jobId, reason);
    }

    private ChainCommand command(JobRecord rec, ChainAction action, Object payload) {
        return ChainCommand.newBuilder()
                .setCommandId(CommandIds.of(rec.jobId, action, Math.max(1, rec.attempt)))
                .setAccount(poolId())
                .setIssuedAt(Instant.ofEpochMilli(now()))
                .setPayload(payload)
                .build();
    }

    void setTimer(JobRecord rec, String kind, long dueAt) {
        clearTimer(rec);
        rec.timerDueAt = dueAt;
        rec.timerKind = kind;
        timers.put(JobTimers.key(dueAt, rec.jobId), kind);
    }

    void clearTimer(JobRecord rec) {
        if (rec.timerDueAt != null) {
            timers.delete(JobTimers.key(rec.timerDueAt, rec.jobId));
            rec.timerDueAt = null;
            rec.timerKind = null;
        }
    }
}
