package io.emeth.worker.jobs;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.worker.averaging.InvalidShardException;
import io.emeth.worker.averaging.ModelAveraging;
import io.emeth.worker.averaging.OuterOptimizer;
import io.emeth.worker.averaging.StreamedAveraging;
import io.emeth.worker.averaging.StreamedAveraging.FileShard;
import io.emeth.worker.weights.InvalidWeightsException;
import io.emeth.worker.weights.WeightsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Combines one round's shards into the next global model: downloads each shard named by a signed
 * {@code ShardTrained}, refuses one whose bytes do not match its sha256 or size, that is not a
 * model of the job's layout or that holds NaN/Inf, one whose sender is not the worker the plan puts
 * at its rank or whose token count is not the plan's for that rank ({@link RoundRules}), then one
 * whose update norm exceeds {@code maxUpdateNormMultiple} × the round's median, and averages the
 * rest weighted by the plan's tokens (in rank order, so the result is the same bytes on any
 * machine). Participants whose shard never came are listed as rejected with the reason.
 *
 * <p>The weights stay in their files ({@link StreamedAveraging}): each shard is checked and the
 * average written one tensor at a time, so the heap holds about one tensor per shard, not every
 * shard whole.
 */
final class RoundAggregator {
    private static final Logger log = LoggerFactory.getLogger(RoundAggregator.class);

    /**
     * The next global model and who went into it; {@code shardSha256s} are the accepted shards'
     * sha256 (hex) in rank order, which the hash chain binds.
     */
    record Outcome(
            WeightsFile next,
            String nextSha256,
            List<String> contributors,
            List<RejectedShard> rejected,
            List<String> shardSha256s) {}

    private final ModelStore store;
    private final double maxUpdateNormMultiple;

    RoundAggregator(ModelStore store, double maxUpdateNormMultiple) {
        this.store = store;
        this.maxUpdateNormMultiple = RoundRules.requireMultiple(maxUpdateNormMultiple);
    }

    /**
     * @param missing participants without a shard, with the reason to report for each
     * @param out the file the next global model is written to
     * @throws JobFailure when no shard can be averaged
     */
    Outcome combine(
            JobSpec spec,
            int epoch,
            WeightsFile roundStart,
            List<ShardCollector.Shard> shards,
            List<RejectedShard> missing,
            IntToLongFunction plannedTokens,
            ModelAveraging averaging,
            Path dir,
            Path out)
            throws JobFailure, IOException {
        List<ShardCollector.Shard> ordered = new ArrayList<>(shards);
        ordered.sort(Comparator.comparingInt((ShardCollector.Shard s) -> s.event().getRank()));
        List<Candidate> valid = new ArrayList<>();
        List<RejectedShard> rejected = new ArrayList<>(missing);
        for (ShardCollector.Shard shard : ordered) {
            ShardTrained event = shard.event();
            String id = "rank " + event.getRank() + " (" + shard.worker() + ")";
            long planned = plannedTokens.applyAsLong(event.getRank());
            String claim =
                    RoundRules.claimProblem(
                            spec.workers(),
                            shard.worker(),
                            event.getRank(),
                            event.getTokens(),
                            planned);
            try {
                WeightsFile weights =
                        store.downloadFile(
                                spec.jobId(), event.getModel(), roundStart.layout(), dir);
                FileShard update = new FileShard(id, weights, Math.max(1, planned));
                double norm = StreamedAveraging.validate(roundStart, update);
                if (claim != null) {
                    rejected.add(reject(spec, epoch, shard.worker(), "shard " + id + " " + claim));
                    continue;
                }
                valid.add(
                        new Candidate(
                                shard.worker(),
                                update,
                                norm,
                                event.getModel().getSha256().toLowerCase(Locale.ROOT)));
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
        List<FileShard> updates = new ArrayList<>();
        List<String> contributors = new ArrayList<>();
        List<String> shardSha256s = new ArrayList<>();
        if (!valid.isEmpty()) {
            double bound =
                    RoundRules.normBound(
                            valid.stream().map(Candidate::norm).toList(), maxUpdateNormMultiple);
            for (Candidate c : valid) {
                if (c.norm() > bound) {
                    rejected.add(
                            reject(
                                    spec,
                                    epoch,
                                    c.worker(),
                                    String.format(
                                            Locale.ROOT,
                                            "shard %s has update norm %.6g, above %s × the"
                                                    + " round's median (bound %.6g);"
                                                    + " max_update_norm_multiple",
                                            c.update().shardId(),
                                            c.norm(),
                                            maxUpdateNormMultiple,
                                            bound)));
                } else {
                    updates.add(c.update());
                    contributors.add(c.worker());
                    shardSha256s.add(c.sha256());
                }
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
        OuterOptimizer.Streamed step = averaging.outer().streamed(roundStart.layout());
        String sha = ModelStore.write(StreamedAveraging.next(step, roundStart, updates), out);
        step.finish();
        WeightsFile next = WeightsFile.open(out, roundStart.layout());
        log.info(
                "Averaged round [jobId:{}, epoch:{}, shards:{}, rejected:{}]",
                spec.jobId(),
                epoch,
                updates.size(),
                rejected.size());
        return new Outcome(next, sha, contributors, rejected, shardSha256s);
    }

    private record Candidate(String worker, FileShard update, double norm, String sha256) {}

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
