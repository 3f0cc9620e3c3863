package io.emeth.master.jobs;

import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.routing.Inputs;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.view.ContributionStatus;
import io.emeth.schemas.avro.view.JobState;
import java.util.ArrayList;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job coordinator's reaction to {@code training-events}: shards trained (the round completes
 * when every participant's shard is in), the aggregate of a round (the next round opens, or after
 * the last the result is awaited), the uploaded result ({@code SubmitResult}) and a worker's
 * failure (it is dropped). An event from a worker that is not an active participant of the current
 * attempt and round is refused with an error on the job's view.
 */
final class TrainingEvents {
    private static final Logger log = LoggerFactory.getLogger(TrainingEvents.class);
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_RESULT_CHARS = 1_024;

    private final Jobs jobs;

    TrainingEvents(Jobs jobs) {
        this.jobs = jobs;
    }

    void on(JobRecord rec, TrainingEvent event) {
        String worker = Inputs.address(event.getWorker());
        Object payload = event.getPayload();
        String kind = payload == null ? "event" : payload.getClass().getSimpleName();
        Participant p = worker == null ? null : rec.participant(worker);
        if (!rec.training() || event.getAttempt() != rec.attempt || p == null || !p.active()) {
            refuse(
                    rec,
                    kind
                            + " from "
                            + Inputs.clip(event.getWorker(), 60)
                            + " for attempt "
                            + event.getAttempt()
                            + " ignored: not an active worker of attempt "
                            + rec.attempt
                            + " (job "
                            + rec.state
                            + ")");
            return;
        }
        if (payload instanceof ShardTrained shard) {
            onShard(rec, p, shard);
        } else if (payload instanceof RoundAggregated aggregated) {
            onAggregated(rec, p, aggregated);
        } else if (payload instanceof ResultUploaded result) {
            onResult(rec, p, result);
        } else if (payload instanceof TrainingFailed failed) {
            String reason =
                    "worker "
                            + p.worker
                            + " failed epoch "
                            + failed.getEpoch()
                            + ": "
                            + Inputs.clip(failed.getReason(), 300);
            jobs.outbox.toPool(
                    jobs.poolId(),
                    new PoolMessage.WorkerDropped(rec.jobId, rec.attempt, p.worker, reason));
            jobs.dropWorker(rec, p, ContributionStatus.FAILED, reason);
            jobs.save(rec);
        }
    }

    private void onShard(JobRecord rec, Participant p, ShardTrained shard) {
        if (rec.state != JobState.PROCESSING
                || rec.roundEpoch == null
                || shard.getEpoch() != rec.roundEpoch
                || !rec.roundParticipants.contains(p.worker)) {
            String why =
                    rec.state != JobState.PROCESSING
                            ? "the job is " + rec.state
                            : rec.roundEpoch == null
                                    ? "no round is open"
                                    : shard.getEpoch() != rec.roundEpoch
                                            ? "round " + rec.roundEpoch + " is open"
                                            : "the worker is not in round " + rec.roundEpoch;
            refuse(
                    rec,
                    "ShardTrained for epoch "
                            + shard.getEpoch()
                            + " from "
                            + p.worker
                            + " ignored: "
                            + why);
            return;
        }
        if (!rec.shardsIn.contains(p.worker)) {
            rec.shardsIn = new ArrayList<>(rec.shardsIn);
            rec.shardsIn.add(p.worker);
            jobs.armAggregationTimerWhenComplete(rec);
            jobs.saveQuietly(rec);
        }
    }

    private void onAggregated(JobRecord rec, Participant p, RoundAggregated aggregated) {
        if (rec.state != JobState.PROCESSING
                || rec.roundEpoch == null
                || aggregated.getEpoch() != rec.roundEpoch
                || rec.completedEpochs >= rec.roundEpoch
                || !p.worker.equals(rec.roundAggregator)) {
            refuse(
                    rec,
                    "RoundAggregated for epoch "
                            + aggregated.getEpoch()
                            + " from "
                            + p.worker
                            + " ignored: the round's aggregator is "
                            + rec.roundAggregator
                            + " for epoch "
                            + rec.roundEpoch);
            return;
        }
        if (!HASH.matcher(aggregated.getHashChainLink()).matches()
                || aggregated.getGlobalModel() == null) {
            refuse(
                    rec,
                    "RoundAggregated from "
                            + p.worker
                            + " ignored: hashChainLink must be 64 lower-case hex characters and a global model given");
            return;
        }
        rec.losses = new ArrayList<>(rec.losses);
        rec.losses.add(aggregated.getValidationLoss());
        rec.completedEpochs = aggregated.getEpoch();
        rec.globalModel = ModelRefData.of(aggregated.getGlobalModel());
        rec.hashChain = aggregated.getHashChainLink();
        var contributors = aggregated.getContributors();
        for (Participant q : rec.workers) {
            boolean counted =
                    contributors.isEmpty()
                            ? rec.roundParticipants.contains(q.worker)
                            : contributors.stream().anyMatch(c -> c.equalsIgnoreCase(q.worker));
            if (counted && q.active()) {
                q.rounds++;
            }
        }
        jobs.clearTimer(rec);
        rec.lastError = null;
        if (rec.completedEpochs < rec.epochs) {
            jobs.openRound(rec, rec.completedEpochs + 1);
        } else {
            jobs.setTimer(rec, Jobs.RESULT_TIMER, jobs.now() + jobs.resultWait());
        }
        jobs.save(rec);
        log.info(
                "Round aggregated [jobId:{}, epoch:{}, loss:{}]",
                rec.jobId,
                aggregated.getEpoch(),
                aggregated.getValidationLoss());
    }

    private void onResult(JobRecord rec, Participant p, ResultUploaded result) {
        String file = result.getResultFileName();
        if (rec.state != JobState.PROCESSING
                || rec.completedEpochs < rec.epochs
                || !p.worker.equals(rec.roundAggregator)) {
            refuse(
                    rec,
                    "ResultUploaded from "
                            + p.worker
                            + " ignored: "
                            + rec.completedEpochs
                            + " of "
                            + rec.epochs
                            + " epochs aggregated, aggregator "
                            + rec.roundAggregator);
            return;
        }
        if (file == null || file.isBlank() || file.length() > MAX_RESULT_CHARS) {
            refuse(
                    rec,
                    "ResultUploaded from "
                            + p.worker
                            + " ignored: resultFileName must be 1 to "
                            + MAX_RESULT_CHARS
                            + " characters");
            return;
        }
        jobs.submit(rec, file);
        jobs.save(rec);
    }

    /** Notes a refused event on the job's view (once per distinct reason). */
    private void refuse(JobRecord rec, String reason) {
        log.warn("Refused training event [jobId:{}, reason:{}]", rec.jobId, reason);
        if (!reason.equals(rec.lastError)) {
            rec.lastError = reason;
            jobs.save(rec);
        }
    }
}
