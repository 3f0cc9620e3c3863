package io.emeth.master.jobs;

import io.emeth.master.inbox.PoolMessage;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.view.ContributionStatus;
import io.emeth.schemas.avro.view.JobState;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job coordinator's reaction to {@code chain-job-events}: a request is checked and opened for
 * matching (or marked INELIGIBLE), and the chain's status moves the job: our node's PROCESSING
 * starts its rounds, another node's releases the workers (TAKEN), and the outcomes (SUBMITTED,
 * VERIFIED, REJECTED, TIMEOUT, FAILED, DECLINED, CANCELED) end it.
 */
final class ChainEvents {
    private static final Logger log = LoggerFactory.getLogger(ChainEvents.class);
    private static final Pattern ZERO_ADDRESS = Pattern.compile("0x0{40}");

    private final Jobs jobs;

    ChainEvents(Jobs jobs) {
        this.jobs = jobs;
    }

    void onRequested(String jobId, JobRequested request) {
        if (jobs.load(jobId) != null) {
            return; // a replayed log
        }
        JobRecord rec = new JobRecord();
        rec.jobId = jobId;
        rec.fee = Eligibility.fee(request.getFee());
        if (rec.fee == null) {
            rec.fee = java.math.BigInteger.ZERO;
        }
        rec.deadlineMs = request.getDeadline().toEpochMilli();
        rec.datasetSizeBytes = request.getDatasetSizeBytes();
        rec.programId = request.getProgramId();
        rec.owner = request.getOwner();
        rec.dataset = request.getDataset();
        rec.requestedAtMs = request.getRequestedAt().toEpochMilli();
        rec.chainStatus = JobStatus.REQUESTED;
        Eligibility eligibility = Eligibility.evaluate(jobId, request, jobs.config, jobs.now());
        if (eligibility.problem() != null) {
            rec.state = JobState.INELIGIBLE;
            rec.lastError = eligibility.problem();
            log.info("Job ineligible [jobId:{}, reason:{}]", jobId, eligibility.problem());
        } else {
            rec.state = JobState.REQUESTED;
            rec.plan = eligibility.plan();
            rec.epochs = rec.plan.epochs();
            rec.released = false;
            rec.openings = Math.max(1, rec.openings);
            jobs.outbox.toPool(jobs.poolId(), new PoolMessage.JobOpened(rec.plan, rec.openings));
        }
        jobs.save(rec);
    }

    void onCanceled(JobRecord rec) {
        if (chainOutcome(rec.state)) {
            return;
        }
        rec.chainStatus = JobStatus.CANCELED;
        end(rec, JobState.CANCELED, "job canceled by its requester");
        jobs.save(rec);
    }

    void onStatusChanged(JobRecord rec, JobStatusChanged change) {
        JobStatus status = change.getStatus();
        rec.chainStatus = status;
        String node = change.getNode();
        rec.node = node == null || ZERO_ADDRESS.matcher(node).matches() ? null : node;
        boolean ours = jobs.poolId().equalsIgnoreCase(node);
        switch (status) {
            case PROCESSING -> onProcessing(rec, ours);
            case SUBMITTED -> {
                if (ours && !chainOutcome(rec.state)) {
                    rec.state = JobState.SUBMITTED;
                }
            }
            case VERIFIED -> end(rec, JobState.VERIFIED, null);
            case REJECTED -> end(rec, JobState.REJECTED, null);
            case TIMEOUT -> end(rec, JobState.TIMEOUT, null);
            case FAILED -> end(rec, JobState.FAILED, null);
            case DECLINED -> end(rec, JobState.DECLINED, null);
            case CANCELED -> end(rec, JobState.CANCELED, "job canceled by its requester");
            default -> {}
        }
        jobs.save(rec);
    }

    private void onProcessing(JobRecord rec, boolean ours) {
        if (!ours) {
            if (!chainOutcome(rec.state)) {
                end(rec, JobState.TAKEN, "taken by node " + rec.node);
            }
            return;
        }
        rec.processingByUs = true;
        if (rec.declinePending) {
            jobs.sendDecline(rec, rec.lastError == null ? "declined" : rec.lastError);
            return;
        }
        if (rec.state == JobState.REQUESTED
                || rec.state == JobState.SUBMITTING
                || chainOutcome(rec.state)) {
            return; // REQUESTED: the pool's Matched is on its way
        }
        rec.state = JobState.PROCESSING;
        if (rec.matched && !rec.released) {
            if (rec.roundEpoch == null) {
                jobs.openRound(rec, rec.completedEpochs + 1);
            }
            return;
        }
        if (rec.plan == null) {
            jobs.decline(rec, "the chain says this node processes the job, which it never matched");
            return;
        }
        rec.lastError =
                "the chain says this node processes the job but it holds no workers; re-planning";
        rec.replanPending = true;
        jobs.outbox.toPool(
                jobs.poolId(),
                new PoolMessage.ReplanRequested(
                        rec.plan,
                        rec.attempt,
                        java.util.List.of(),
                        rec.epochs - rec.completedEpochs));
    }

    /** Ends the master's part of the job with {@code state}, freeing workers still held. */
    private void end(JobRecord rec, JobState state, String reason) {
        if (chainOutcome(rec.state) && rec.state != JobState.SUBMITTED) {
            return;
        }
        ContributionStatus settled =
                switch (state) {
                    case VERIFIED -> ContributionStatus.VERIFIED;
                    case REJECTED, FAILED, TIMEOUT -> ContributionStatus.FAILED;
                    default -> null;
                };
        if (settled != null) {
            for (Participant p : rec.workers) {
                if (p.status == ContributionStatus.NONE && p.rounds > 0) {
                    p.status = settled;
                }
            }
        }
        rec.state = state;
        if (reason != null) {
            rec.lastError = reason;
        }
        rec.declinePending = false;
        jobs.clearTimer(rec);
        jobs.release(rec, reason == null ? "job " + state : reason, true);
        log.info("Job ended [jobId:{}, state:{}]", rec.jobId, state);
    }

    /** States the chain has the last word in (and SUBMITTED, which only a chain outcome ends). */
    static boolean chainOutcome(JobState state) {
        return switch (state) {
            case SUBMITTED, VERIFIED, REJECTED, TIMEOUT, FAILED, DECLINED, CANCELED, TAKEN -> true;
            default -> false;
        };
    }
}
