package io.emeth.worker.jobs;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.worker.averaging.InvalidShardException;
import io.emeth.worker.averaging.ModelAveraging;
import io.emeth.worker.averaging.ShardUpdate;
import io.emeth.worker.weights.InvalidWeightsException;
import io.emeth.worker.weights.ModelWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Combines one round's shards into the next global model: downloads each shard named by a signed
 * {@code ShardTrained}, refuses one whose bytes do not match its sha256 or size, that is not a
 * model of the job's layout, that holds NaN/Inf, or that reports no tokens, and averages the rest
 * (in rank order, so the result is the same bytes on any machine). Participants whose shard never
 * came are listed as rejected with the reason.
 */
final class RoundAggregator {
    private static final Logger log = LoggerFactory.getLogger(RoundAggregator.class);

    /** The next global model and who went into it. */
    record Outcome(ModelWeights next, List<String> contributors, List<RejectedShard> rejected) {}

    private final ModelStore store;

    RoundAggregator(ModelStore store) {
        this.store = store;
    }

    /**
     * @param missing participants without a shard, with the reason to report for each
     * @throws JobFailure when no shard can be averaged
     */
    Outcome combine(
            JobSpec spec,
            int epoch,
            ModelWeights roundStart,
            List<ShardCollector.Shard> shards,
            List<RejectedShard> missing,
            ModelAveraging averaging,
            Path dir)
            throws JobFailure, IOException {
        List<ShardCollector.Shard> ordered = new ArrayList<>(shards);
        ordered.sort(Comparator.comparingInt((ShardCollector.Shard s) -> s.event().getRank()));
        List<ShardUpdate> updates = new ArrayList<>();
        List<String> contributors = new ArrayList<>();
        List<RejectedShard> rejected = new ArrayList<>(missing);
        for (ShardCollector.Shard shard : ordered) {
            ShardTrained event = shard.event();
            String id = "rank " + event.getRank() + " (" + shard.worker() + ")";
            try {
                ModelWeights weights =
                        store.download(spec.jobId(), event.getModel(), roundStart, dir);
                ShardUpdate update = new ShardUpdate(id, weights, event.getTokens());
                ModelAveraging.validate(roundStart, update);
                updates.add(update);
                contributors.add(shard.worker());
            } catch (InvalidWeightsException | InvalidShardException e) {
                rejected.add(reject(spec, epoch, shard.worker(), e.getMessage()));
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                rejected.add(
                        reject(spec, epoch, shard.worker(), "download failed: " + e.getMessage()));
            }
        }
        if (updates.isEmpty()) {
            throw new JobFailure(
                    WorkerPhase.CHECKPOINT,
                    "job "
                            + spec.jobId()
                            + ": no shard of epoch "
                            + epoch
                            + " can be averaged: "
                            + reasons(rejected));
        }
        ModelWeights next = averaging.aggregate(roundStart, updates);
        log.info(
                "Averaged round [jobId:{}, epoch:{}, shards:{}, rejected:{}]",
                spec.jobId(),
                epoch,
                updates.size(),
                rejected.size());
        return new Outcome(next, contributors, rejected);
    }

    private static RejectedShard reject(JobSpec spec, int epoch, String worker, String reason) {
        log.warn(
                "Rejected shard [jobId:{}, epoch:{}, worker:{}, reason:{}]",
                spec.jobId(),
                epoch,
                worker,
                reason);
        return RejectedShard.newBuilder().setWorker(worker).setReason(reason).build();
    }

    private static String reasons(List<RejectedShard> rejected) {
        List<String> parts = new ArrayList<>();
        rejected.forEach(r -> parts.add(r.getWorker() + ": " + r.getReason()));
        return parts.isEmpty() ? "none arrived" : String.join("; ", parts);
    }
}
