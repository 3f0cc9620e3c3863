package io.emeth.master.matching;

import io.emeth.common.config.Cooperative;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.rules.JobMath;
import io.emeth.schemas.avro.view.WorkerState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-plans a job whose remaining workers cannot meet its deadline: keeps those still reserved, adds
 * the strongest free workers (never one already dropped from the job) until the remaining epochs
 * fit before the deadline margin, and reserves them as the next attempt with a new {@code
 * TrainingAssigned} each; or, when no selection fits, frees the kept workers and reports failure.
 */
final class PoolReplanner {
    private static final Logger log = LoggerFactory.getLogger(PoolReplanner.class);

    private final Pool pool;
    private final PoolMatching matching;
    private final Cooperative mode;

    PoolReplanner(Pool pool, PoolMatching matching) {
        this.pool = pool;
        this.matching = matching;
        this.mode = pool.config.master().cooperative();
    }

    void onReplan(String poolId, PoolMessage.ReplanRequested request) {
        JobPlan plan = request.plan();
        PoolJob job = pool.job(poolId, plan.jobId());
        if (job == null) {
            job = new PoolJob(plan, 1); // its opening is moot: a re-plan sends no ProcessJob
            job.attempt = request.attempt();
        }
        if (job.attempt > request.attempt()) {
            return; // an older attempt's request
        }
        job.processSent = true; // a re-plan never takes the job on chain again
        if (job.pendingKey != null) {
            pool.removePending(poolId, job.pendingKey); // a newer request replaces a waiting one
            job.pendingKey = null;
            job.replanOf = 0;
        }
        long now = pool.now();
        List<Candidate> kept = new ArrayList<>();
        for (String address : request.keep()) {
            PoolWorker w = pool.worker(poolId, address);
            if (w != null && w.heldBy(plan.jobId())) {
                kept.add(new Candidate(w.worker, w.powerCapacity));
            }
        }
        List<Candidate> chosen = replanSelection(poolId, job, kept, request.remainingEpochs(), now);
        if (chosen.isEmpty() && now < giveUpAt(job, request.remainingEpochs())) {
            waitForWorkers(poolId, job, kept, request, now);
            return;
        }
        if (chosen.isEmpty()) {
            String reason =
                    "re-plan of attempt "
                            + request.attempt()
                            + " failed: the free workers cannot finish the remaining "
                            + request.remainingEpochs()
                            + " epoch(s) before the deadline margin";
            for (Candidate c : kept) {
                pool.release(pool.worker(poolId, c.worker()), WorkerState.IDLE, null, reason);
            }
            pool.deleteJob(poolId, job);
            pool.outbox.toJob(new JobMessage.ReplanFailed(plan.jobId(), request.attempt(), reason));
            log.warn("Re-plan failed [jobId:{}, attempt:{}]", plan.jobId(), request.attempt());
            return;
        }
        chosen.sort(Comparator.comparingLong(Candidate::powerCapacity).reversed());
        List<Member> members = matching.reserve(poolId, job, chosen, request.attempt() + 1, now);
        pool.outbox.toJob(new JobMessage.Replanned(plan.jobId(), job.attempt, members));
        log.info(
                "Re-planned job [jobId:{}, attempt:{}, workers:{}]",
                plan.jobId(),
                job.attempt,
                members.size());
    }

    /**
     * The free workers cannot re-plan the job now, but a crew as strong as the one it had could
     * still finish the remaining epochs before the deadline margin: the job frees its kept workers
     * and waits in the pending index like a new job (fee order), to be re-planned by the first
     * matching pass that finds enough free capacity (a lost worker that comes back, others freed),
     * until {@link #giveUpAt}, when it fails as before.
     */
    private void waitForWorkers(
            String poolId,
            PoolJob job,
            List<Candidate> kept,
            PoolMessage.ReplanRequested request,
            long now) {
        JobPlan plan = job.plan;
        String reason = "re-plan of attempt " + request.attempt() + " waits for free workers";
        for (Candidate c : kept) {
            pool.release(pool.worker(poolId, c.worker()), WorkerState.IDLE, null, reason);
        }
        job.active = false;
        job.replanOf = request.attempt();
        job.replanEpochs = request.remainingEpochs();
        job.pendingKey = PoolKeys.pending(poolId, plan.fee(), plan.requestedAtMs(), plan.jobId());
        pool.addPending(
                poolId, job.pendingKey, plan.deadlineMs(), Math.max(1, plan.requiredCapacity()));
        long giveUpAt = giveUpAt(job, job.replanEpochs);
        pool.pendingTimers.atMost(job.pendingKey, giveUpAt);
        pool.saveJob(poolId, job);
        log.info(
                "Re-plan waits for free workers [jobId:{}, attempt:{}, remainingEpochs:{},"
                        + " giveUpAt:{}]",
                plan.jobId(),
                request.attempt(),
                job.replanEpochs,
                java.time.Instant.ofEpochMilli(giveUpAt));
    }

    /**
     * When a waiting re-plan gives up: the first moment at which a crew as strong as the job's last
     * one (at least R) could no longer finish {@code remaining} epochs before the deadline margin.
     */
    static long giveUpAt(PoolJob job, int remaining) {
        long capacity = Math.max(job.plan.requiredCapacity(), 1);
        long crew = 0;
        for (Member m : job.members) {
            crew += m.powerCapacity();
        }
        return JobMath.giveUpAt(
                job.plan.gas(),
                Math.max(capacity, crew),
                job.plan.deadlineMs(),
                remaining,
                job.plan.epochs());
    }

    /** Kept workers plus the strongest free ones by {@link Matcher}'s rule; empty if never. */
    private List<Candidate> replanSelection(
            String poolId, PoolJob job, List<Candidate> kept, int remaining, long now) {
        long needed = Matcher.needed(job.plan, remaining, now);
        if (needed == Long.MAX_VALUE) {
            return new ArrayList<>();
        }
        Iterator<Candidate> free =
                FreeWorkers.eligible(matching.candidates(poolId, job.plan), job.excluded);
        return new ArrayList<>(Matcher.select(mode, kept, free, needed));
    }
}
