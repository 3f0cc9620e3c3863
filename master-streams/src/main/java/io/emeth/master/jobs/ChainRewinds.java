package io.emeth.master.jobs;

import io.emeth.master.inbox.PoolMessage;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.JobCanceled;
import io.emeth.schemas.avro.chain.JobEventsRewound;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.view.JobState;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes what a reorg took back. The coordinator notes the block of each chain event it applies to
 * a job ({@link #note}); a {@code JobEventsRewound{fromBlock}} from the indexer then drops the
 * job's steps from that block on and puts the job where the surviving events leave it:
 *
 * <ul>
 *   <li>the request itself dropped: the job is forgotten (its workers released, its view deleted);
 *       if the request is mined again on the new branch it arrives as a new {@code JobRequested};
 *   <li>another node's PROCESSING (or the requester's cancel) dropped: the job is REQUESTED again
 *       and goes back to the pool to be matched;
 *   <li>our own PROCESSING dropped: the master keeps its workers and goes on. Our process
 *       transaction normally returns to the mempool and is mined again on the new branch (the
 *       indexer then re-emits our PROCESSING, which the coordinator takes as a repeat); if another
 *       node's PROCESSING comes instead, the usual TAKEN path releases the workers. Declining or
 *       re-sending would cost a penalty or a second deposit for a reorg that usually heals itself;
 *   <li>a chain outcome dropped while our SUBMITTED survives: back to SUBMITTED, so that the new
 *       branch's outcome applies.
 * </ul>
 */
final class ChainRewinds {
    private static final Logger log = LoggerFactory.getLogger(ChainRewinds.class);

    private final Jobs jobs;

    ChainRewinds(Jobs jobs) {
        this.jobs = jobs;
    }

    /** A chain step of a job as the coordinator applied it: block, status and node. */
    record ChainStep(long block, JobStatus status, String node) {}

    /**
     * Notes the block of {@code event} on the job (after the coordinator applied it), so that a
     * later rewind knows what to undo.
     */
    void note(String jobId, ChainJobEvent event) {
        JobRecord rec = jobs.load(jobId);
        if (rec == null) {
            return;
        }
        long block = event.getPosition().getBlockNumber();
        Object payload = event.getPayload();
        if (payload instanceof JobStatusChanged change) {
            rec.chainSteps.add(new ChainStep(block, change.getStatus(), change.getNode()));
        } else if (payload instanceof JobCanceled) {
            rec.chainSteps.add(new ChainStep(block, JobStatus.CANCELED, null));
        } else if (rec.requestBlock == null) {
            rec.requestBlock = block;
        } else {
            return;
        }
        jobs.saveQuietly(rec);
    }

    /** The indexer says the job's events from {@code rewound.fromBlock} on are void. */
    void onRewound(JobRecord rec, JobEventsRewound rewound) {
        long from = rewound.getFromBlock();
        if (rec.requestBlock != null && rec.requestBlock >= from) {
            forget(rec, from);
            return;
        }
        List<ChainStep> kept = new ArrayList<>();
        for (ChainStep s : rec.chainSteps) {
            if (s.block() < from) {
                kept.add(s);
            }
        }
        if (kept.size() == rec.chainSteps.size()) {
            log.debug("Rewind changes nothing [jobId:{}, fromBlock:{}]", rec.jobId, from);
            return;
        }
        rec.chainSteps = kept;
        ChainStep last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
        JobStatus status = last == null ? JobStatus.REQUESTED : last.status();
        String node = last == null ? null : last.node();
        boolean ours = node != null && jobs.poolId().equalsIgnoreCase(node);
        JobState before = rec.state;
        rec.chainStatus = status;
        rec.node = node == null || node.matches("0x0{40}") ? null : node;
        if (!(ours && (status == JobStatus.PROCESSING || status == JobStatus.SUBMITTED))) {
            rec.processingByUs = false;
        }
        String reason = "a reorg undid the job's chain events from block " + from;
        if (status == JobStatus.REQUESTED
                && (rec.state == JobState.TAKEN || rec.state == JobState.CANCELED)) {
            reopen(rec, reason);
        } else if (ours && status == JobStatus.SUBMITTED && ChainEvents.chainOutcome(rec.state)) {
            rec.state = JobState.SUBMITTED;
            rec.lastError = reason;
        } else {
            rec.lastError = reason + "; the chain status is " + status + " again";
        }
        jobs.save(rec);
        log.warn(
                "Chain events rewound [jobId:{}, fromBlock:{}, chainStatus:{}, state:{} -> {}]",
                rec.jobId,
                from,
                status,
                before,
                rec.state);
    }

    /** Another node's PROCESSING or a cancel went away: the job is open for matching again. */
    private void reopen(JobRecord rec, String reason) {
        rec.lastError = reason;
        rec.declinePending = false;
        if (rec.plan == null) {
            rec.state = JobState.INELIGIBLE; // it never was matchable
            return;
        }
        rec.state = JobState.REQUESTED;
        rec.matched = false;
        rec.released = false;
        rec.workers = new ArrayList<>();
        // a new opening: its ProcessJob is a new command, not the one of an earlier match
        rec.openings = Math.max(1, rec.openings) + 1;
        jobs.outbox.toPool(jobs.poolId(), new PoolMessage.JobOpened(rec.plan, rec.openings));
    }

    /** The request itself is off the chain: nothing of the job is left. */
    private void forget(JobRecord rec, long from) {
        jobs.clearTimer(rec);
        jobs.release(rec, "the job's request was undone by a reorg from block " + from, true);
        jobs.delete(rec);
        log.warn(
                "Job request rewound, job forgotten [jobId:{}, fromBlock:{}, requestBlock:{},"
                        + " state:{}]",
                rec.jobId,
                from,
                rec.requestBlock,
                rec.state);
    }
}
