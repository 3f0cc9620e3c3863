package io.emeth.master.matching;

import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * A job as the pool's matcher keeps it in {@code pool-jobs-store}: its plan, whether it waits in
 * the fee-ordered pending index or holds workers, the attempt and members of that reservation, and
 * whether the one {@code ProcessJob} was already issued. The reservation is kept here only: a
 * worker's own record does not say which job holds it; the pool derives that from its jobs at task
 * start ({@link Pool}).
 */
final class PoolJob {
    JobPlan plan;
    boolean active;
    int attempt;
    List<Member> members = new ArrayList<>();
    boolean processSent;

    /** Which opening of the job this is (see {@code JobOpened}); 0 in old records, read as 1. */
    int opening;

    String pendingKey;

    /**
     * While a re-plan waits for workers: the attempt being re-planned (0: none) and the epochs it
     * has left. The job then waits in the pending index like a new one, until {@link
     * PoolReplanner#giveUpAt}.
     */
    int replanOf;

    int replanEpochs;

    /** Workers dropped from this job (stragglers, failures): a re-plan does not take them back. */
    List<String> excluded = new ArrayList<>();

    /**
     * Members of this attempt let go while the job goes on (dropped, failed, lost, left, told to
     * disconnect): the job holds {@link #members} less these. Emptied by the next reservation.
     */
    List<String> released = new ArrayList<>();

    /** Its key in {@code pool-jobs-store} ({@link PoolKeys#job}). */
    String key(String pool) {
        if (key == null) {
            key = PoolKeys.job(pool, plan.jobId());
        }
        return key;
    }

    /** Whether the job's reservation holds {@code worker} now. */
    boolean holds(String worker) {
        if (!active || released.contains(worker)) {
            return false;
        }
        for (Member m : members) {
            if (m.worker().equals(worker)) {
                return true;
            }
        }
        return false;
    }

    /** Its store key, built once (not stored: the key is the record's). */
    private transient String key;

    /**
     * The Avro encoding of {@link #planAvroOf} ({@link PoolJobSerde}): the plan never changes while
     * the job is written again on its match and on each release. Not stored as such.
     */
    transient byte[] planAvro;

    transient JobPlan planAvroOf;

    PoolJob() {}

    PoolJob(JobPlan plan, int opening) {
        this.plan = plan;
        this.opening = opening;
    }
}
