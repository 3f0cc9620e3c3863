package io.emeth.master.jobs;

import io.emeth.master.inbox.PoolMessage;
import io.emeth.schemas.avro.view.ContributionStatus;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wall-clock punctuator of the job coordinator: fires the jobs' due timers from {@code
 * job-timers-store} (key: zero-padded due time, then jobId, so a scan stops at the first future
 * one). A timer means the round's aggregator has all the shards but did not publish {@code
 * RoundAggregated} (or, after the last round, {@code ResultUploaded}) within {@code
 * timeout.checkpoint} plus a heartbeat timeout: it is dropped like any straggler. A {@code purge}
 * timer deletes a finished job {@code job_retention_ms} after it finished.
 */
final class JobTimers implements Punctuator {
    private static final Logger log = LoggerFactory.getLogger(JobTimers.class);

    private final Jobs jobs;

    JobTimers(Jobs jobs) {
        this.jobs = jobs;
    }

    static String key(long dueAt, String jobId) {
        String digits = Long.toString(Math.max(0, dueAt));
        return "0".repeat(19 - digits.length()) + digits + "|" + jobId;
    }

    @Override
    public void punctuate(long now) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = jobs.timers.all()) {
            while (it.hasNext()) {
                KeyValue<String, String> entry = it.next();
                long dueAt = Long.parseLong(entry.key.substring(0, entry.key.indexOf('|')));
                if (dueAt > now) {
                    break;
                }
                due.add(entry);
            }
        }
        for (KeyValue<String, String> entry : due) {
            jobs.timers.delete(entry.key);
            String jobId = entry.key.substring(entry.key.indexOf('|') + 1);
            if (Jobs.PURGE_TIMER.equals(entry.value)) {
                jobs.jobs.delete(jobId);
                log.debug("Finished job left the store after its retention [jobId:{}]", jobId);
                continue;
            }
            JobRecord rec = jobs.load(jobId);
            if (rec != null
                    && rec.timerDueAt != null
                    && key(rec.timerDueAt, jobId).equals(entry.key)) {
                rec.timerDueAt = null;
                rec.timerKind = null;
                fire(rec, entry.value);
                jobs.save(rec);
            }
        }
    }

    private void fire(JobRecord rec, String kind) {
        Participant aggregator = rec.participant(rec.roundAggregator);
        if (aggregator == null || !aggregator.active() || !rec.training()) {
            return;
        }
        String awaited = Jobs.RESULT_TIMER.equals(kind) ? "ResultUploaded" : "RoundAggregated";
        String reason =
                "aggregator "
                        + aggregator.worker
                        + " did not publish "
                        + awaited
                        + " for epoch "
                        + rec.roundEpoch
                        + " within "
                        + jobs.resultWait()
                        + " ms (timeout.checkpoint plus the heartbeat timeout)";
        log.warn("Aggregator timed out [jobId:{}, worker:{}]", rec.jobId, aggregator.worker);
        jobs.outbox.toPool(
                jobs.poolId(),
                new PoolMessage.WorkerDropped(rec.jobId, rec.attempt, aggregator.worker, reason));
        jobs.dropWorker(rec, aggregator, ContributionStatus.FAILED, reason);
    }
}
