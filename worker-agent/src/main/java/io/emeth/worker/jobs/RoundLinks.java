package io.emeth.worker.jobs;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Which hash-chain links the aggregator trusts. Its own (saved in the job's state) and the master's
 * ({@code RoundOpened.hashChain}) are trusted; a {@code RoundAggregated} read from the topic is
 * taken only when its link chains to a trusted one, since any signed participant can publish one
 * and splicing the chain (or another momentum) would take no more.
 */
final class RoundLinks {
    private static final Pattern LINK = Pattern.compile("[0-9a-f]{64}");

    private final JobResources job;
    private final ResultPublisher result;
    private final Supplier<ShardCollector> collector;

    RoundLinks(JobResources job, ResultPublisher result, Supplier<ShardCollector> collector) {
        this.job = job;
        this.result = result;
        this.collector = collector;
    }

    /**
     * h_(epoch−1): the genesis for epoch 1, else the previous round's link as this worker saved it
     * or as the master's {@code RoundOpened} gives it. Never a link read from the topic: any signed
     * participant can publish a {@code RoundAggregated}, and splicing the chain would take one.
     */
    byte[] previousLink(int epoch, RoundState round) throws JobFailure, IOException {
        if (epoch == 1) {
            return HexFormat.of().parseHex(result.genesis());
        }
        JobStore.Round saved = job.store.round(epoch - 1);
        if (saved != null) {
            return HexFormat.of().parseHex(saved.link);
        }
        String given = round.opened() == null ? null : round.opened().getHashChain();
        if (given != null && LINK.matcher(given).matches()) {
            return HexFormat.of().parseHex(given);
        }
        throw new JobFailure(
                WorkerPhase.CHECKPOINT,
                "the hash-chain link of epoch "
                        + (epoch - 1)
                        + " is unknown: this worker did not aggregate it and the RoundOpened of"
                        + " epoch "
                        + epoch
                        + " carries none");
    }

    /**
     * The validly signed rounds of {@code epoch} whose link is the trusted {@code h_epoch} (this
     * worker's, or the master's {@code RoundOpened.hashChain} of {@code next}) and that chain to
     * their own predecessor (the genesis for epoch 1): the link binds the round's model, shards and
     * momentum, so a copy published by another key with other content does not pass.
     */
    List<RoundAggregated> chainedRounds(int epoch, RoundState next) throws IOException {
        String trusted;
        JobStore.Round saved = job.store.round(epoch);
        if (saved != null) {
            trusted = saved.link;
        } else {
            trusted = next.opened() == null ? null : next.opened().getHashChain();
        }
        List<RoundAggregated> chained = new ArrayList<>();
        if (trusted == null || !LINK.matcher(trusted).matches()) {
            return chained;
        }
        for (TrainingEvent event : collector.get().roundsWithLink(epoch, trusted)) {
            RoundAggregated r = (RoundAggregated) event.getPayload();
            ChainLink link = ChainLink.of(r);
            boolean follows =
                    epoch == 1
                            ? link.follows(result.genesis())
                            : collector.get().roundLinkedTo(epoch - 1, link) != null;
            if (follows) {
                chained.add(r);
            }
        }
        return chained;
    }

    /**
     * The rounds of the epochs before {@code last} that this worker did not aggregate, for the
     * result's chain: walking back from {@code last}, each epoch's round is the one (this attempt's
     * or an earlier attempt's) whose link chains to the next known link, and epoch 1's must chain
     * to the genesis. A round that does not chain is never taken, whoever signed it.
     */
    IntFunction<TrainingEvent> earlierRounds(ChainLink last) throws IOException, JobFailure {
        Map<Integer, TrainingEvent> found = new HashMap<>();
        ChainLink next = last;
        for (int e = last.epoch() - 1; e >= 1; e--) {
            JobStore.Round saved = job.store.round(e);
            if (saved != null) {
                next = saved.chainLink(e);
                continue;
            }
            TrainingEvent match = collector.get().roundLinkedTo(e, next);
            if (match == null) {
                break; // the result names the missing epoch
            }
            found.put(e, match);
            next = ChainLink.of((RoundAggregated) match.getPayload());
        }
        if (next.epoch() == 1 && !next.follows(result.genesis())) {
            throw new JobFailure(
                    WorkerPhase.CHECKPOINT,
                    "the hash-chain link of epoch 1 ("
                            + next.link()
                            + ") does not follow the genesis of job "
                            + job.spec.jobId());
        }
        return found::get;
    }
}
