package io.emeth.master.matching;

import org.apache.kafka.streams.processor.Punctuator;

/**
 * Wall-clock punctuator of the pool matcher: a job still waiting for workers when its deadline less
 * the 3,600 s margin has passed can never be matched; it leaves the pending index and its
 * coordinator marks it INELIGIBLE, so the index does not grow with dead jobs. It takes the due jobs
 * from the pool's in-memory timers (ordered by the time their margin passes), never a scan.
 */
final class PendingExpiry implements Punctuator {
    private final Pool pool;
    private final PoolMatching matching;

    PendingExpiry(Pool pool, PoolMatching matching) {
        this.pool = pool;
        this.matching = matching;
    }

    @Override
    public void punctuate(long now) {
        for (String pendingKey : pool.pendingTimers.takeDue(now)) {
            String poolId = pendingKey.substring(0, pendingKey.indexOf(PoolKeys.SEP));
            matching.expire(poolId, PoolKeys.pendingJob(pendingKey));
        }
        pool.flushJobs();
    }
}
