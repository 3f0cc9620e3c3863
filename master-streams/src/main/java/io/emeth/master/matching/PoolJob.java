package io.emeth.master.matching;

import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * A job as the pool's matcher keeps it in {@code pool-jobs-store}: its plan, whether it waits in
 * the fee-ordered pending index or holds workers, the attempt and members of that reservation, and
 * whether the one {@code ProcessJob} was already issued.
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

    PoolJob() {}

    PoolJob(JobPlan plan, int opening) {
        this.plan = plan;
        this.opening = opening;
    }
}
