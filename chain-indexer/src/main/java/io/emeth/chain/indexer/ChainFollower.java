package io.emeth.chain.indexer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One indexing step at a time: reads the head, then either backfills a bounded block range (far
 * behind) or follows the head header by header (near it), checks parent hashes, and emits the logs
 * that are at least {@code confirmations} deep through {@link IndexerSink} with the new checkpoint.
 *
 * <p>A reorg inside the unconfirmed window only replaces headers here: nothing from it was emitted.
 * One that replaced an emitted block is reported on {@code chain-alerts} and the tip rewinds to the
 * fork point, so the replacement blocks are indexed next.
 */
final class ChainFollower {
    /** Blocks above the confirmable ones followed header by header; farther behind, backfill. */
    static final int FOLLOW_GAP = 64;

    private static final Logger log = LoggerFactory.getLogger(ChainFollower.class);

    private final ChainReader reader;
    private final ChainWindow window;
    private final RangeSizer ranges;
    private final int confirmations;
    private final EventFactory events;
    private final IndexerSink sink;
    private final IndexerMetrics metrics;
    private final BatchEmitter emitter;

    ChainFollower(
            ChainReader reader,
            ChainWindow window,
            RangeSizer ranges,
            int confirmations,
            EventFactory events,
            DatasetSizes sizes,
            IndexerSink sink,
            IndexerMetrics metrics) {
        this.reader = reader;
        this.window = window;
        this.ranges = ranges;
        this.confirmations = confirmations;
        this.events = events;
        this.sink = sink;
        this.metrics = metrics;
        this.emitter = new BatchEmitter(reader, events, sizes, sink, metrics);
    }

    /** One step; true when it did something and more may be waiting. */
    boolean step() throws IOException, InterruptedException {
        BlockHeader head = reader.latest();
        metrics.seen(head.number());
        BlockRef tip = window.tip();
        if (head.number() <= tip.number()) {
            boolean unchanged =
                    !tip.hashKnown()
                            || (head.number() == tip.number() && head.hash().equals(tip.hash()));
            return !unchanged && rewindAfterDeepReorg(head);
        }
        if (head.number() - tip.number() > (long) confirmations + FOLLOW_GAP) {
            return backfill(head);
        }
        return follow(head);
    }

    private boolean backfill(BlockHeader head) throws IOException, InterruptedException {
        window.clearUnconfirmed();
        BlockRef tip = window.tip();
        long from = tip.number() + 1;
        long to = ranges.end(from, head.number() - confirmations);
        List<ChainLog> logs;
        try {
            logs = reader.logs(from, to);
        } catch (IOException e) {
            if (RangeSizer.isRangeLimit(e) && ranges.shrink()) {
                log.info(
                        "Node refused the log range, halving it [from:{}, to:{}, next:{}, error:{}]",
                        from,
                        to,
                        ranges.size(),
                        e.getMessage());
                return true;
            }
            throw e;
        }
        ranges.succeeded();
        List<BlockHeader> ends = reader.headers(from == to ? List.of(from) : List.of(from, to));
        BlockHeader first = ends.get(0);
        BlockHeader last = ends.get(ends.size() - 1);
        if (tip.hashKnown() && !first.parentHash().equals(tip.hash())) {
            return rewindAfterDeepReorg(head);
        }
        Map<Long, BlockHeader> known = new HashMap<>();
        ends.forEach(h -> known.put(h.number(), h));
        if (!consistent(logs, known)) {
            return true; // the chain moved between the calls; read the range again
        }
        emitter.emit(logs, last.ref(), known, window);
        return true;
    }

    private boolean follow(BlockHeader head) throws IOException, InterruptedException {
        BlockRef top = window.top();
        if (!(head.number() == top.number() && head.hash().equals(top.hash()))) {
            List<BlockHeader> segment = new ArrayList<>();
            if (head.number() > top.number() + 1) {
                segment.addAll(reader.headers(top.number() + 1, head.number() - 1));
            }
            segment.add(head);
            if (!chained(segment)) {
                return true; // a new block or reorg arrived while reading; read again
            }
            while (!window.linksToKnown(segment.get(0))) {
                long below = segment.get(0).number() - 1;
                if (below <= window.tip().number()) {
                    return rewindAfterDeepReorg(head);
                }
                BlockHeader parent = reader.header(below);
                if (!parent.hash().equals(segment.get(0).parentHash())) {
                    return true;
                }
                segment.add(0, parent);
            }
            int replaced = window.acceptUnconfirmed(segment);
            if (replaced > 0) {
                metrics.shallowReorg();
                log.info(
                        "Reorg inside the confirmation window, nothing emitted is affected"
                                + " [replacedBlocks:{}, from:{}, head:{}]",
                        replaced,
                        segment.get(0).number(),
                        head.number());
            }
        }
        BlockRef tip = window.tip();
        long target = Math.min(head.number() - confirmations, tip.number() + ranges.size());
        if (target <= tip.number()) {
            return false;
        }
        Map<Long, BlockHeader> known = new HashMap<>();
        for (long n = tip.number() + 1; n <= target; n++) {
            window.header(n).ifPresent(h -> known.put(h.number(), h));
        }
        List<ChainLog> logs = reader.logs(tip.number() + 1, target);
        if (known.size() != target - tip.number() || !consistent(logs, known)) {
            return true;
        }
        emitter.emit(logs, known.get(target).ref(), known, window);
        return true;
    }

    /**
     * A block the indexer had emitted is no longer on the chain: finds the highest recorded block
     * that still is, reports the reorg and rewinds the checkpoint there (one transaction).
     */
    private boolean rewindAfterDeepReorg(BlockHeader head) throws IOException {
        BlockRef tip = window.tip();
        BlockRef fork = null;
        List<BlockRef> known = window.recentConfirmedDescending();
        for (BlockRef ref : known) {
            if (ref.number() <= head.number()
                    && reader.header(ref.number()).hash().equals(ref.hash())) {
                fork = ref;
                break;
            }
        }
        if (fork == null) {
            long below =
                    (known.isEmpty() ? tip.number() : known.get(known.size() - 1).number()) - 1;
            fork =
                    below < 0
                            ? new BlockRef(-1, null)
                            : reader.header(Math.min(below, head.number())).ref();
            log.error(
                    "Reorg deeper than every recorded block hash: re-indexing from block {};"
                            + " events between it and the old tip may repeat (deduplicate by position)",
                    fork.number() + 1);
        }
        long forkBlock = fork.number() + 1;
        String oldHash = window.hashAt(forkBlock).orElse("unknown");
        String newHash = forkBlock <= head.number() ? reader.header(forkBlock).hash() : "none";
        int depth = (int) Math.min(Integer.MAX_VALUE, tip.number() - fork.number());
        Emission alert = events.reorg(forkBlock, depth, oldHash, newHash);
        ChainWindow rewound = new ChainWindow(fork, window.recentConfirmed());
        sink.commit(
                List.of(alert),
                events.checkpoint(fork.hashKnown() ? fork : new BlockRef(fork.number(), "")),
                rewound.recentConfirmed());
        window.rewindTo(fork);
        metrics.deepReorg();
        metrics.emitted("ChainReorgDetected");
        metrics.confirmed(fork.number());
        log.warn(
                "Reorg deeper than the confirmation window, re-indexing [forkBlock:{}, depth:{},"
                        + " oldHash:{}, newHash:{}]",
                forkBlock,
                depth,
                oldHash,
                newHash);
        return true;
    }

    /** Whether every log's block hash matches the header known for its block. */
    private static boolean consistent(List<ChainLog> logs, Map<Long, BlockHeader> headers) {
        for (ChainLog l : logs) {
            BlockHeader h = headers.get(l.blockNumber());
            if (h != null && !h.hash().equals(l.blockHash())) {
                log.debug(
                        "Log from another fork, re-reading [block:{}, logHash:{}, header:{}]",
                        l.blockNumber(),
                        l.blockHash(),
                        h.hash());
                return false;
            }
        }
        return true;
    }

    private static boolean chained(List<BlockHeader> segment) {
        for (int i = 1; i < segment.size(); i++) {
            BlockHeader prev = segment.get(i - 1);
            BlockHeader next = segment.get(i);
            if (next.number() != prev.number() + 1 || !next.parentHash().equals(prev.hash())) {
                return false;
            }
        }
        return true;
    }
}
