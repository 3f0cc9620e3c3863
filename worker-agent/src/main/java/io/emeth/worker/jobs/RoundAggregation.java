package io.emeth.worker.jobs;

import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.worker.weights.WeightsFile;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's part of a round: wait (at most {@code timeout.checkpoint} from its own
 * checkpoint) for the signed {@code ShardTrained} of every participant, combine them ({@link
 * RoundAggregator}; a participant whose shard never came is listed as rejected), evaluate the new
 * global model on the validation split, upload it and publish {@code RoundAggregated} with the
 * hash-chain link; after the last epoch, upload the result bundle and publish {@code
 * ResultUploaded}. A round already aggregated in this attempt (found on the topic after a restart)
 * is adopted, not redone.
 */
final class RoundAggregation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoundAggregation.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * Most validation batches evaluated per round, so a large data set evaluates in bounded time.
     */
    static final int MAX_EVAL_BATCHES = 200;

    private final JobResources job;
    private final RoundAggregator aggregator;
    private final ResultPublisher result;
    private ShardCollector collector;
    private final DilocoMomentum momentum;
    private final RoundLinks links;
    private volatile double collected;

    RoundAggregation(JobResources job) {
        this.job = job;
        this.aggregator = new RoundAggregator(job.ctx.storage(), job.ctx.maxUpdateNormMultiple());
        this.result = new ResultPublisher(job);
        this.momentum = new DilocoMomentum(job.spec, job.store, job.layout);
        this.links = new RoundLinks(job, result, this::collector);
    }

    void aggregate(RoundState round) throws JobFailure, IOException, InterruptedException {
        int epoch = round.epoch;
        JobSpec spec = job.spec;
        if (round.participants().isEmpty()) {
            throw new JobFailure(
                    WorkerPhase.CHECKPOINT,
                    "job "
                            + spec.jobId()
                            + ": the RoundOpened of epoch "
                            + epoch
                            + " names no participants; a round averages only the shards of"
                            + " the workers it names");
        }
        long budgetNanos = Duration.ofMillis(spec.limits().checkpointMs()).toNanos();
        long start =
                round.checkpointStartedNanos != null
                        ? round.checkpointStartedNanos
                        : System.nanoTime();
        ShardCollector shards = collector();
        job.phases.enter(
                WorkerPhase.CHECKPOINT,
                epoch,
                "timeout.checkpoint",
                0, // the wait below ends at the same limit and closes the round with what came
                () -> collected);
        while (true) {
            shards.poll(POLL);
            collected = fraction(shards.shards(epoch), round.participants());
            TrainingEvent done = shards.round(epoch, aggregatorOf(round));
            if (done != null) {
                adopt(epoch, done);
                return;
            }
            if (complete(shards.shards(epoch), round.participants())
                    || System.nanoTime() - start >= budgetNanos) {
                break;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("waiting for shards interrupted");
            }
        }
        job.phases.enter(
                WorkerPhase.CHECKPOINT,
                epoch,
                "timeout.checkpoint",
                spec.limits().checkpointMs(),
                () -> 1);
        combineAndPublish(round, shards.shards(epoch));
    }

    private void combineAndPublish(RoundState round, Map<String, ShardCollector.Shard> arrived)
            throws JobFailure, IOException, InterruptedException {
        int epoch = round.epoch;
        JobSpec spec = job.spec;
        List<ShardCollector.Shard> present = new ArrayList<>();
        List<RejectedShard> missing = new ArrayList<>();
        for (String worker : round.participants()) {
            ShardCollector.Shard shard = arrived.get(ShardCollector.key(worker));
            if (shard != null) {
                present.add(shard);
            } else {
                missing.add(
                        RejectedShard.newBuilder()
                                .setWorker(worker)
                                .setReason(
                                        "no ShardTrained within timeout.checkpoint ("
                                                + spec.limits().checkpointMs()
                                                + " ms)")
                                .build());
            }
        }
        WeightsFile start =
                round.roundStart != null ? round.roundStart : job.roundStart(epoch, round.opened());
        resumeMomentum(round);
        RoundAggregator.Outcome outcome =
                aggregator.combine(
                        spec,
                        epoch,
                        start,
                        present,
                        missing,
                        job::plannedTokens,
                        momentum.averaging(epoch),
                        job.dir().resolve("shards"),
                        job.dir().resolve("global-" + epoch + ".emwt"));
        momentum.save(epoch);
        job.model.load(outcome.next());
        double validationLoss = job.trainer.evaluate(job.validationTokens, MAX_EVAL_BATCHES);
        ModelRef global =
                job.ctx.storage().upload(spec.jobId(), outcome.next().path(), outcome.nextSha256());
        ModelRef momentumRef =
                momentum.upload(
                        epoch, job.ctx.storage(), job.dir().resolve("momentum-" + epoch + ".emwt"));
        String momentumSha = momentumRef == null ? null : momentumRef.getSha256();
        byte[] link =
                ChainLink.compute(
                        links.previousLink(epoch, round),
                        epoch,
                        global.getSha256(),
                        outcome.shardSha256s(),
                        momentumSha);
        String linkHex = ModelStore.hex(link);
        job.ctx
                .publisher()
                .publish(
                        job.events.roundAggregated(
                                epoch,
                                global,
                                validationLoss,
                                linkHex,
                                outcome.contributors(),
                                outcome.rejected(),
                                outcome.shardSha256s(),
                                momentumRef));
        JobStore.Round saved = new JobStore.Round();
        saved.link = linkHex;
        saved.modelUri = global.getUri();
        saved.modelSha256 = global.getSha256();
        saved.modelSizeBytes = global.getSizeBytes();
        saved.validationLoss = validationLoss;
        saved.shards = outcome.shardSha256s();
        saved.momentumSha256 = momentumSha;
        job.store.markAggregated(epoch, saved);
        job.ctx.metrics().roundAggregated();
        log.info(
                "Round aggregated [jobId:{}, epoch:{}, validationLoss:{}, contributors:{}, rejected:{}, link:{}]",
                spec.jobId(),
                epoch,
                String.format("%.4f", validationLoss),
                outcome.contributors().size(),
                outcome.rejected().size(),
                linkHex);
        if (epoch == spec.epochs()) {
            result.publish(
                    outcome.next(),
                    global,
                    linkHex,
                    validationLoss,
                    links.earlierRounds(saved.chainLink(epoch)));
        }
    }

    /** A round published earlier in this attempt (by this worker before a restart, or another). */
    private void adopt(int epoch, TrainingEvent done)
            throws JobFailure, IOException, InterruptedException {
        RoundAggregated r = (RoundAggregated) done.getPayload();
        boolean mine = job.ctx.address().equalsIgnoreCase(done.getWorker());
        log.info(
                "Round already aggregated [jobId:{}, epoch:{}, by:{}]",
                job.spec.jobId(),
                epoch,
                done.getWorker());
        if (!mine) {
            return;
        }
        JobStore.Round saved = new JobStore.Round();
        saved.link = r.getHashChainLink();
        saved.modelUri = r.getGlobalModel().getUri();
        saved.modelSha256 = r.getGlobalModel().getSha256();
        saved.modelSizeBytes = r.getGlobalModel().getSizeBytes();
        saved.validationLoss = r.getValidationLoss();
        saved.shards = r.getAcceptedShards();
        saved.momentumSha256 =
                r.getOuterMomentum() == null ? null : r.getOuterMomentum().getSha256();
        job.store.markAggregated(epoch, saved);
        if (epoch == job.spec.epochs()
                && job.store.resultFileName() == null
                && collector.result() == null) {
            WeightsFile last =
                    job.ctx
                            .storage()
                            .downloadFile(
                                    job.spec.jobId(),
                                    r.getGlobalModel(),
                                    job.layout,
                                    job.dir().resolve("models"));
            result.publish(
                    last,
                    r.getGlobalModel(),
                    saved.link,
                    saved.validationLoss,
                    links.earlierRounds(saved.chainLink(epoch)));
        }
    }

    /**
     * DiLoCo: when the momentum after the previous round is not at hand (another worker aggregated
     * it, or this one lost its disk), resumes the one uploaded with that round (see {@link
     * RoundLinks#chainedRounds}); without one the momentum restarts at zero with a warning.
     */
    private void resumeMomentum(RoundState round) throws IOException, JobFailure {
        int previous = round.epoch - 1;
        if (!job.spec.diloco() || previous < 1 || momentum.has(previous)) {
            return;
        }
        for (RoundAggregated r : links.chainedRounds(previous, round)) {
            if (r.getOuterMomentum() != null
                    && momentum.resume(
                            previous,
                            r.getOuterMomentum(),
                            job.ctx.storage(),
                            job.dir().resolve("models"))) {
                return;
            }
        }
    }

    /** The round's designated aggregator: the round's override, else the assignment's. */
    private String aggregatorOf(RoundState round) {
        RoundOpened opened = round.opened();
        return opened != null && opened.getAggregator() != null
                ? opened.getAggregator()
                : job.spec.aggregator();
    }

    private ShardCollector collector() {
        if (collector == null) {
            collector =
                    new ShardCollector(
                            job.ctx.consumerProperties(),
                            job.ctx.topics().trainingEvents(),
                            job.spec.jobId(),
                            job.spec.attempt(),
                            job.spec.assignedAtMs());
        }
        return collector;
    }

    private static boolean complete(
            Map<String, ShardCollector.Shard> arrived, List<String> participants) {
        return participants.stream().allMatch(w -> arrived.containsKey(ShardCollector.key(w)));
    }

    private static double fraction(
            Map<String, ShardCollector.Shard> arrived, List<String> participants) {
        return Math.min(1, (double) arrived.size() / participants.size());
    }

    @Override
    public void close() {
        if (collector != null) {
            collector.close();
        }
    }
}
