package io.emeth.chain.indexer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexer's answer to a reorg deeper than the confirmation window (a block at a recorded height
 * has another hash): finds the fork point by walking the hash window down and comparing hashes,
 * reports the reorg on {@code chain-alerts}, gives each job whose events were dropped a {@code
 * JobEventsRewound} and rewinds the checkpoint to the fork point, all in one transaction, so the
 * replacement blocks are indexed next. A reorg below the whole hash window halts emitting rather
 * than guess a fork point.
 */
final class ChainRewinder {
    /** Recorded blocks compared with the chain per JSON-RPC batch during a fork search. */
    static final int FORK_SEARCH_BATCH = 32;

    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private static final Logger log = LoggerFactory.getLogger(ChainRewinder.class);

    private final ChainReader reader;
    private final ChainWindow window;
    private final EventFactory events;
    private final IndexerSink sink;
    private final IndexerMetrics metrics;
    private boolean halted;
    private long lastHaltLog = System.nanoTime() - LOG_EVERY_NANOS;

    ChainRewinder(
            ChainReader reader,
            ChainWindow window,
            EventFactory events,
            IndexerSink sink,
            IndexerMetrics metrics) {
        this.reader = reader;
        this.window = window;
        this.events = events;
        this.sink = sink;
        this.metrics = metrics;
    }

    /** Whether a reorg below the hash window stopped emitting. */
    boolean halted() {
        return halted;
    }

    /**
     * A block the indexer had emitted has another hash now: walks the hash window down from the tip
     * (or the head, when lower), comparing each recorded hash with the chain's, to the highest
     * block still on the chain. Reports the reorg, tells each job with events above that block that
     * they are void ({@code JobEventsRewound}) and rewinds the checkpoint there, in one
     * transaction. When no recorded block is on the chain any more, stops emitting instead of
     * guessing.
     */
    boolean rewind(BlockHeader head) throws IOException, InterruptedException {
        BlockRef tip = window.tip();
        List<BlockRef> recorded = window.recordedDescending(Math.min(tip.number(), head.number()));
        BlockRef fork = null;
        for (int i = 0; i < recorded.size() && fork == null; i += FORK_SEARCH_BATCH) {
            List<BlockRef> chunk =
                    recorded.subList(i, Math.min(recorded.size(), i + FORK_SEARCH_BATCH));
            List<BlockHeader> now = reader.headers(chunk.stream().map(BlockRef::number).toList());
            for (int j = 0; j < chunk.size(); j++) {
                if (now.get(j).hash().equals(chunk.get(j).hash())) {
                    fork = chunk.get(j);
                    break;
                }
            }
        }
        if (fork == null) {
            return haltBeyondWindow(head);
        }
        long forkBlock = fork.number() + 1;
        String oldHash = window.hashAt(forkBlock).orElse("unknown");
        String newHash = forkBlock <= head.number() ? reader.header(forkBlock).hash() : "none";
        int depth = (int) Math.min(Integer.MAX_VALUE, tip.number() - fork.number());
        Set<String> jobs = window.jobsAbove(fork.number());
        List<Emission> out = new ArrayList<>();
        for (String jobId : jobs) {
            out.add(events.rewound(jobId, fork));
        }
        out.add(events.reorg(forkBlock, depth, oldHash, newHash, false));
        sink.commit(out, events.checkpoint(fork, window.recentAfterRewind(fork)));
        window.rewindTo(fork);
        metrics.deepReorg();
        out.forEach(e -> metrics.emitted(EventTypes.of(e)));
        metrics.confirmed(fork.number());
        log.warn(
                "Reorg deeper than the confirmation window, re-indexing from the fork point"
                        + " [forkBlock:{}, depth:{}, oldHash:{}, newHash:{}, rewoundJobs:{}]",
                forkBlock,
                depth,
                oldHash,
                newHash,
                jobs.size());
        return true;
    }

    /**
     * No block of the hash window is on the chain any more: the fork point is below it and unknown.
     * Reports it once and emits nothing more (a guess would publish events of one branch on top of
     * another's) until the recorded blocks are back on the chain.
     */
    private boolean haltBeyondWindow(BlockHeader head) throws IOException {
        BlockRef tip = window.tip();
        BlockRef lowest = window.lowestRecorded().orElse(tip);
        String newHash =
                lowest.number() <= head.number() && lowest.number() >= 0
                        ? reader.header(lowest.number()).hash()
                        : "none";
        int depth = (int) Math.min(Integer.MAX_VALUE, tip.number() - lowest.number() + 1);
        sink.commit(
                List.of(
                        events.reorg(
                                lowest.number(),
                                depth,
                                lowest.hashKnown() ? lowest.hash() : "unknown",
                                newHash,
                                true)),
                events.checkpoint(tip, window.recent()));
        halted = true;
        metrics.halted(true);
        metrics.deepReorg();
        metrics.emitted("ChainReorgDetected");
        log.error(
                "Reorg deeper than the hash window: none of the {} recorded blocks up to the tip is"
                        + " on the chain any more, so the fork point is unknown; indexing stops"
                        + " here rather than guess [tip:{}, lowestRecorded:{}, reorgWindow:{}]."
                        + " It resumes by itself if the chain returns to the recorded blocks;"
                        + " otherwise re-index into fresh topics (a larger reorg_window keeps more"
                        + " history)",
                window.recent().size(),
                tip.number(),
                lowest.number(),
                window.size());
        return false;
    }

    /** While halted: goes on only once the chain holds the recorded tip again. */
    boolean resumeIfRecordedBlocksReturned(BlockHeader head) throws IOException {
        BlockRef tip = window.tip();
        if (head.number() >= tip.number()
                && tip.hashKnown()
                && reader.header(tip.number()).hash().equals(tip.hash())) {
            halted = false;
            metrics.halted(false);
            log.warn(
                    "The chain holds the indexer's tip again, indexing resumes [tip:{}, hash:{}]",
                    tip.number(),
                    tip.hash());
            return true;
        }
        long now = System.nanoTime();
        if (now - lastHaltLog > LOG_EVERY_NANOS) {
            lastHaltLog = now;
            log.error(
                    "Indexer halted by a reorg deeper than its hash window; nothing is emitted"
                            + " [tip:{}, head:{}]",
                    tip.number(),
                    head.number());
        }
        return false;
    }
}
