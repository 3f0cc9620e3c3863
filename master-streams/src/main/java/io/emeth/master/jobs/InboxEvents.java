package io.emeth.master.jobs;

import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.Member;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.view.ContributionStatus;
import io.emeth.schemas.avro.view.JobState;
import java.util.ArrayList;
import java.util.List;

/**
 * The job coordinator's reaction to its internal inbox: the pool matched, re-planned or could not
 * re-plan the job, or a worker of it went away; the gateway reports a command's outcome; an
 * operator asks to decline. Messages about an older attempt are ignored.
 */
final class InboxEvents {
    private final Jobs jobs;

    InboxEvents(Jobs jobs) {
        this.jobs = jobs;
    }

    void on(JobRecord rec, JobMessage message) {
        if (message instanceof JobMessage.Matched m) {
            onMatched(rec, m);
        } else if (message instanceof JobMessage.Replanned r) {
            onReplanned(rec, r);
        } else if (message instanceof JobMessage.ReplanFailed f) {
            if (f.attempt() == rec.attempt && rec.replanPending) {
                rec.replanPending = false;
                rec.released = true; // the pool freed the kept workers
                jobs.decline(rec, f.reason());
            }
        } else if (message instanceof JobMessage.MatchExpired e) {
            if (rec.state == JobState.REQUESTED) {
                rec.state = JobState.INELIGIBLE;
                rec.lastError = e.reason();
                rec.released = true;
            }
        } else if (message instanceof JobMessage.WorkerGone g) {
            Participant p = rec.participant(g.worker());
            if (g.attempt() == rec.attempt && p != null && p.active()) {
                jobs.dropWorker(
                        rec,
                        p,
                        g.kind().disconnects()
                                ? ContributionStatus.DISCONNECTED
                                : ContributionStatus.FAILED,
                        g.reason());
            }
        } else if (message instanceof JobMessage.TxOutcome t) {
            onTxOutcome(rec, t);
        } else if (message instanceof JobMessage.DeclineRequested d) {
            onDeclineRequested(rec, d);
        }
        jobs.save(rec);
    }

    private void onMatched(JobRecord rec, JobMessage.Matched m) {
        if (rec.state != JobState.REQUESTED) {
            return; // released meanwhile; the pool frees the workers on our JobReleased
        }
        rec.matched = true;
        rec.released = false;
        rec.attempt = m.attempt();
        rec.workers = participants(m.members(), rec.workers);
        rec.state = JobState.MATCHED;
        rec.lastError = null;
        if (rec.processingByUs) {
            rec.state = JobState.PROCESSING;
            jobs.openRound(rec, 1);
        }
    }

    private void onReplanned(JobRecord rec, JobMessage.Replanned r) {
        if (!rec.replanPending || r.attempt() != rec.attempt + 1 || !rec.training()) {
            if (rec.finished() || rec.state == JobState.SUBMITTING) {
                jobs.outbox.toPool(
                        jobs.poolId(),
                        new PoolMessage.JobReleased(rec.jobId, "job is " + rec.state, true));
            }
            return;
        }
        rec.replanPending = false;
        rec.matched = true;
        rec.released = false;
        rec.attempt = r.attempt();
        rec.workers = participants(r.members(), rec.workers);
        rec.lastError = null;
        if (rec.state == JobState.PROCESSING) {
            jobs.openRound(rec, rec.completedEpochs + 1);
        }
    }

    /** The new attempt's participants; a kept worker keeps its count of rounds. */
    private List<Participant> participants(List<Member> members, List<Participant> before) {
        List<Participant> out = new ArrayList<>(members.size());
        for (Member m : members) {
            Participant p = new Participant(m.worker(), m.rank(), m.powerCapacity(), jobs.now());
            for (Participant old : before) {
                if (old.worker.equals(m.worker())) {
                    p.rounds = old.rounds;
                }
            }
            out.add(p);
        }
        return out;
    }

    private void onTxOutcome(JobRecord rec, JobMessage.TxOutcome t) {
        if (t.success()) {
            return; // the chain's events are the truth; they follow
        }
        String problem = t.action() + " failed: " + t.reason();
        if (t.action() == ChainAction.PROCESS_JOB
                && (rec.state == JobState.REQUESTED || rec.state == JobState.MATCHED)
                && !rec.processingByUs) {
            rec.state = JobState.INELIGIBLE;
            rec.declinePending = false;
            jobs.clearTimer(rec);
            jobs.release(rec, problem, true);
        }
        rec.lastError = problem;
    }

    private void onDeclineRequested(JobRecord rec, JobMessage.DeclineRequested d) {
        String reason = "declined by an operator (" + d.requestedBy() + ")";
        if (rec.state == JobState.REQUESTED) {
            jobs.release(rec, reason, true);
            rec.state = JobState.INELIGIBLE;
            rec.lastError = reason + " before it was matched";
        } else if (rec.training()) {
            jobs.decline(rec, reason);
        } else {
            rec.lastError = "decline request ignored: the job is " + rec.state;
        }
    }
}
