package io.emeth.master.matching;

import io.emeth.master.rules.JobMath;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Wall-clock punctuator of the pool matcher: a job still waiting for workers when its deadline less
 * the 3,600 s margin has passed can never be matched; it leaves the pending index and its
 * coordinator marks it INELIGIBLE, so the index does not grow with dead jobs.
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
        List<KeyValue<String, String>> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> it = pool.pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, String> entry = it.next();
                if (JobMath.pastMargin(now, Long.parseLong(entry.value))) {
                    String poolId = entry.key.substring(0, entry.key.indexOf(PoolKeys.SEP));
                    expired.add(KeyValue.pair(poolId, PoolKeys.pendingJob(entry.key)));
                }
            }
        }
        for (KeyValue<String, String> e : expired) {
            matching.expire(e.key, e.value);
        }
    }
}
