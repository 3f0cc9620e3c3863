package io.emeth.worker.jobs;

import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.worker.training.EpochResult;
import io.emeth.worker.weights.WeightsFile;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This worker's part of a round: get the round's global model (WAIT_DATA), train the shard for one
 * epoch from it (LEARNING), upload the weights and publish the signed {@code ShardTrained}
 * (CHECKPOINT), then remember the epoch on disk so that a replayed round is not trained again.
 */
final class ShardTraining {
    private static final Logger log = LoggerFactory.getLogger(ShardTraining.class);

    private final JobResources job;

    ShardTraining(JobResources job) {
        this.job = job;
    }

    void train(RoundState round) throws JobFailure, IOException, InterruptedException {
        int epoch = round.epoch;
        RoundOpened opened = round.opened();
        JobSpec spec = job.spec;
        JobSpec.PhaseLimits limits = spec.limits();
        job.phases.enter(
                WorkerPhase.WAIT_DATA, epoch, "timeout.wait_data", limits.waitDataMs(), () -> 0);
        WeightsFile start = job.roundStart(epoch, opened);
        round.roundStart = start;

        job.phases.enter(
                WorkerPhase.LEARNING,
                epoch,
                "timeout.learning",
                limits.learningMs(),
                () -> job.trainer().progress().fraction());
        EpochResult result = job.trainer.trainEpoch(start, job.shardTokens, epoch);

        job.phases.enter(
                WorkerPhase.CHECKPOINT,
                epoch,
                "timeout.checkpoint",
                limits.checkpointMs(),
                () -> 0);
        round.checkpointStartedNanos = System.nanoTime();
        ModelRef ref =
                job.ctx
                        .storage()
                        .upload(
                                spec.jobId(),
                                job.model.tensors(),
                                job.dir().resolve("shard-" + epoch + ".emwt"));
        job.ctx
                .publisher()
                .publish(
                        job.events.shardTrained(
                                epoch,
                                spec.rank(),
                                ref,
                                result.meanLoss(),
                                result.tokens(),
                                result.duration()));
        job.store.markTrained(epoch, job.roundStartSha256(opened));
        job.ctx.metrics().shardTrained(result.tokens());
        log.info(
                "Trained shard [jobId:{}, epoch:{}, rank:{}, loss:{}, tokens:{}, ms:{}, model:{}]",
                spec.jobId(),
                epoch,
                spec.rank(),
                String.format("%.4f", result.meanLoss()),
                result.tokens(),
                result.duration().toMillis(),
                ref.getUri());
    }
}
