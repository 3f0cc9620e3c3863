package io.emeth.master.matching;

import io.emeth.common.config.Cooperative;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.master.inbox.PoolMessage;
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
        long now = pool.now();
        List<Candidate> kept = new ArrayList<>();
        for (String address : request.keep()) {
            PoolWorker w = pool.worker(poolId, address);
            if (w != null && w.heldBy(plan.jobId())) {
                kept.add(new Candidate(w.worker, w.powerCapacity));
            }
        }
        List<Candidate> chosen = replanSelection(poolId, job, kept, request.remainingEpochs(), now);
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
