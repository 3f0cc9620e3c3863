package io.emeth.master.matching;

import io.emeth.common.config.Cooperative;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.rules.JobMath;
import io.emeth.schemas.CommandIds;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's job side: matches eligible jobs to free workers in fee order, reserves them (never a
 * worker twice: only IDLE workers are in the free index, and a pool lives in one partition), emits
 * {@code TrainingAssigned} to each and the job's one {@code ProcessJob}, releases workers when the
 * coordinator says so, and re-plans an attempt with extra free workers.
 */
final class PoolMatching {
    private static final Logger log = LoggerFactory.getLogger(PoolMatching.class);

    private final Pool pool;
    private final Cooperative mode;

    PoolMatching(Pool pool) {
        this.pool = pool;
        this.mode = pool.config.master().cooperative();
    }

    void onJobOpened(String poolId, JobPlan plan, int opening) {
        if (pool.job(poolId, plan.jobId()) != null) {
            return; // a replayed request
        }
        PoolJob job = new PoolJob(plan, opening);
        long now = pool.now();
        if (JobMath.pastMargin(now, plan.deadlineMs())) {
            pool.outbox.toJob(new JobMessage.MatchExpired(plan.jobId(), expiredReason(plan)));
            return;
        }
        if (pool.modelOf(plan) == null) {
            String reason =
                    "no model is configured for program "
                            + plan.programId()
                            + " in language "
                            + plan.language()
                            + " (the models table of master.json)";
            pool.outbox.toJob(new JobMessage.MatchExpired(plan.jobId(), reason));
            log.info("Job has no model [jobId:{}, reason:{}]", plan.jobId(), reason);
            return;
        }
        // pending first: the next matching pass takes the poll's jobs together, highest fee first
        job.pendingKey = PoolKeys.pending(poolId, plan.fee(), plan.requestedAtMs(), plan.jobId());
        pool.addPending(
                poolId, job.pendingKey, plan.deadlineMs(), Math.max(1, plan.requiredCapacity()));
        pool.saveJob(poolId, job);
        log.debug(
                "Job waits for the next matching pass [jobId:{}, required:{}]",
                plan.jobId(),
                plan.requiredCapacity());
    }

    void onJobReleased(String poolId, PoolMessage.JobReleased released) {
        PoolJob job = pool.job(poolId, released.jobId());
        if (job == null) {
            return;
        }
        for (Member m : job.members) {
            PoolWorker w = pool.worker(poolId, m.worker());
            if (w != null && w.heldBy(released.jobId())) {
                pool.release(
                        w,
                        WorkerState.IDLE,
                        null,
                        released.cancelTraining() ? released.reason() : null);
            }
        }
        pool.deleteJob(poolId, job);
        log.info("Released job [jobId:{}, reason:{}]", released.jobId(), released.reason());
    }

    void onWorkerDropped(String poolId, PoolMessage.WorkerDropped dropped) {
        PoolWorker w = pool.worker(poolId, dropped.worker());
        if (w != null && w.heldBy(dropped.jobId()) && w.attempt == dropped.attempt()) {
            pool.letGo(w, true);
            pool.release(w, WorkerState.IDLE, dropped.reason(), dropped.reason());
        }
    }

    /**
     * Tries to match a job now with {@link Matcher}'s rule: free workers, strongest first, until
     * they reach both R and the deadline margin's capacity ({@code needed}: {@link Matcher#needed}
     * for the job's {@link #epochsLeft} at {@code now}). Reserves and emits on success.
     */
    boolean tryMatch(String poolId, PoolJob job, long needed, long now) {
        if (job.replanOf > 0) {
            return tryReplan(poolId, job, needed, now);
        }
        JobPlan plan = job.plan;
        PoolStats stats = pool.stats(poolId);
        if (stats.freeCount == 0
                || needed == Long.MAX_VALUE
                || (mode == Cooperative.NVM && stats.freeCapacity < needed)) {
            return false;
        }
        List<Candidate> chosen = Matcher.select(mode, List.of(), candidates(poolId, plan), needed);
        if (chosen.isEmpty()) {
            return false;
        }
        List<Member> members = reserve(poolId, job, chosen, 1, now);
        pool.outbox.toJob(new JobMessage.Matched(plan.jobId(), 1, members));
        log.info(
                "Matched job [jobId:{}, workers:{}, capacity:{}, required:{}, needed:{}]",
                plan.jobId(),
                members.size(),
                Matcher.capacity(chosen),
                plan.requiredCapacity(),
                needed);
        return true;
    }

    /** The epochs a pending job has left: all of them, or those of the re-plan it waits for. */
    static int epochsLeft(PoolJob job) {
        return job.replanOf > 0 ? job.replanEpochs : job.plan.epochs();
    }

    /** A waiting re-plan ({@link PoolReplanner}) with the free workers it was not dropped from. */
    private boolean tryReplan(String poolId, PoolJob job, long needed, long now) {
        JobPlan plan = job.plan;
        if (needed == Long.MAX_VALUE) {
            return false;
        }
        Iterator<Candidate> free = FreeWorkers.eligible(candidates(poolId, plan), job.excluded);
        List<Candidate> chosen = Matcher.select(mode, List.of(), free, needed);
        if (chosen.isEmpty()) {
            return false;
        }
        int attempt = job.replanOf + 1;
        job.replanOf = 0;
        List<Member> members = reserve(poolId, job, chosen, attempt, now);
        pool.outbox.toJob(new JobMessage.Replanned(plan.jobId(), attempt, members));
        log.info(
                "Re-planned a waiting job [jobId:{}, attempt:{}, workers:{}]",
                plan.jobId(),
                attempt,
                members.size());
        return true;
    }

    /** The pool's free workers that hold the job's model, strongest first. */
    Iterator<Candidate> candidates(String poolId, JobPlan plan) {
        String model = pool.modelOf(plan);
        return FreeWorkers.filter(
                pool.freeWorkers(poolId), c -> pool.holds(poolId, c.worker(), model));
    }

    List<Member> reserve(
            String poolId, PoolJob job, List<Candidate> chosen, int attempt, long now) {
        JobPlan plan = job.plan;
        List<Member> members = new ArrayList<>(chosen.size());
        for (int rank = 0; rank < chosen.size(); rank++) {
            Candidate c = chosen.get(rank);
            members.add(new Member(c.worker(), rank, c.powerCapacity()));
            PoolWorker w = pool.worker(poolId, c.worker());
            if (!w.heldBy(plan.jobId())) {
                w.state = WorkerState.RESERVED;
                w.reservedAt = now;
            }
            w.jobId = plan.jobId();
            w.attempt = attempt;
            w.rank = rank;
            w.lastError = null;
            pool.reserved(w);
        }
        for (WorkerAssignment a :
                AssignmentFactory.trainingAssigned(plan, members, attempt, pool.config)) {
            pool.outbox.assignment(a);
        }
        if (!job.processSent) {
            pool.outbox.command(processJob(poolId, plan.jobId(), job.opening, now));
            job.processSent = true;
        }
        if (job.pendingKey != null) {
            pool.removePending(poolId, job.pendingKey);
            job.pendingKey = null;
        }
        job.active = true;
        job.attempt = attempt;
        job.members = members;
        job.released = new ArrayList<>();
        pool.saveJob(poolId, job);
        return members;
    }

    /**
     * Matches pending jobs, highest fee first, while free workers remain: each step asks the
     * pending index for the best job whose known need fits what is free (the summed free capacity
     * in {@code nvm}, the strongest free worker in {@code 1v1}) in O(log n), so jobs that cannot be
     * served are never walked. A job's known need is a lower bound; when its need now is larger the
     * index learns it and the step is asked again. A job the free workers cannot take (none holds
     * its model) is passed over for this pass.
     */
    void matchPending(String poolId) {
        PendingIndex index = pool.pendingIndex(poolId);
        List<String> expired = new ArrayList<>();
        String after = null;
        long now = pool.now();
        while (true) {
            PoolStats stats = pool.stats(poolId);
            if (stats.freeCount == 0) {
                break;
            }
            long fits = mode == Cooperative.NVM ? stats.freeCapacity : pool.strongestFree(poolId);
            PendingIndex.Entry e = index.first(fits, after);
            if (e == null) {
                break;
            }
            PoolJob job = pool.job(poolId, e.jobId);
            if (job == null) {
                pool.removePending(poolId, e.key);
                continue;
            }
            long needed = Matcher.needed(job.plan, epochsLeft(job), now);
            if (needed == Long.MAX_VALUE
                    || (job.replanOf > 0 && now >= PoolReplanner.giveUpAt(job, job.replanEpochs))) {
                expired.add(e.jobId);
                index.remove(e.key); // expire() below drops the job
            } else if (needed > fits) {
                index.raiseNeed(e.key, needed);
            } else if (!tryMatch(poolId, job, needed, now)) {
                after = e.key;
            }
        }
        expired.forEach(jobId -> expire(poolId, jobId));
    }

    /** Drops a pending job whose deadline margin passed and tells its coordinator. */
    void expire(String poolId, String jobId) {
        PoolJob job = pool.job(poolId, jobId);
        if (job == null) {
            return;
        }
        pool.deleteJob(poolId, job);
        if (job.replanOf > 0) {
            String reason =
                    "re-plan of attempt "
                            + job.replanOf
                            + " failed: no free workers came that could finish the remaining "
                            + job.replanEpochs
                            + " epoch(s) before the deadline margin";
            pool.outbox.toJob(new JobMessage.ReplanFailed(jobId, job.replanOf, reason));
            log.warn("Waiting re-plan gave up [jobId:{}, reason:{}]", jobId, reason);
            return;
        }
        pool.outbox.toJob(
                new JobMessage.MatchExpired(
                        jobId, expiredReason(job.plan, pool.modelOf(job.plan))));
        log.info("Job expired waiting for workers [jobId:{}]", jobId);
    }

    private static String expiredReason(JobPlan plan) {
        return expiredReason(plan, null);
    }

    private static String expiredReason(JobPlan plan, String model) {
        return "no free workers"
                + (model == null ? "" : " holding model " + model)
                + " could finish the job before its deadline "
                + Instant.ofEpochMilli(plan.deadlineMs())
                + " less the 3600 s margin (required power capacity "
                + plan.requiredCapacity()
                + ")";
    }

    /**
     * The pool's id is its master's account, the one that must send the transaction. The command id
     * carries the job's opening: the first match keeps the id it always had, a match after a reopen
     * is a new command (the gateway would answer the old id from its journal unsent).
     */
    static ChainCommand processJob(String account, String jobId, int opening, long now) {
        return ChainCommand.newBuilder()
                .setCommandId(CommandIds.of(jobId, ChainAction.PROCESS_JOB, Math.max(1, opening)))
                .setAccount(account)
                .setIssuedAt(Instant.ofEpochMilli(now))
                .setPayload(ProcessJob.newBuilder().setJobId(jobId).build())
                .build();
    }
}
