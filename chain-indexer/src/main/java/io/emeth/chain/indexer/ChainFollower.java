package io.emeth.chain.indexer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One indexing step at a time: reads the head, then either backfills a bounded block range (far
 * behind) or follows the head header by header (near it), checks parent hashes, and emits the logs
 * that are at least {@code confirmations} deep through {@link IndexerSink} with the new checkpoint.
 *
 * <p>A reorg inside the unconfirmed window only replaces headers here: nothing from it was emitted.
 * Only a block at a recorded height with another hash is a deeper reorg, handed to {@link
 * ChainRewinder}; a head below the tip with the recorded hash is a lagging backend: it waits.
 */
final class ChainFollower {
    /** Blocks above the confirmable ones followed header by header; farther behind, backfill. */
    static final int FOLLOW_GAP = 64;

    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private static final Logger log = LoggerFactory.getLogger(ChainFollower.class);

    private final ChainReader reader;
    private final ChainWindow window;
    private final RangeSizer ranges;
    private final int confirmations;
    private final IndexerSink sink;
    private final EventFactory events;
    private final IndexerMetrics metrics;
    private final BatchEmitter emitter;
    private final ChainRewinder rewinder;
    private final ExecutorService prefetch;
    private final int chunkEvents;
    private long lastLagLog = System.nanoTime() - LOG_EVERY_NANOS;

    ChainFollower(
            ChainReader reader,
            ChainWindow window,
            RangeSizer ranges,
            int confirmations,
            EventFactory events,
            DatasetSizes sizes,
            IndexerSink sink,
            IndexerMetrics metrics,
            ExecutorService prefetch,
            int chunkEvents) {
        this.reader = reader;
        this.prefetch = prefetch;
        this.chunkEvents = chunkEvents;
        this.window = window;
        this.ranges = ranges;
        this.confirmations = confirmations;
        this.sink = sink;
        this.events = events;
        this.metrics = metrics;
        this.emitter = new BatchEmitter(reader, events, sizes, sink, metrics);
        this.rewinder = new ChainRewinder(reader, window, events, sink, metrics);
    }

    /** One step; true when it did something and more may be waiting. */
    boolean step() throws IOException, InterruptedException {
        BlockHeader head = reader.latest();
        metrics.seen(head.number());
        if (rewinder.halted()) {
            return rewinder.resumeIfRecordedBlocksReturned(head);
        }
        BlockRef tip = window.tip();
        if (head.number() <= tip.number()) {
            return behindTip(head);
        }
        if (head.number() - tip.number() > (long) confirmations + FOLLOW_GAP) {
            return backfill(head);
        }
        Optional<long[]> gaps = window.gaps();
        if (gaps.isPresent()) {
            return fillHashWindow(head, gaps.get()[0], gaps.get()[1]);
        }
        return follow(head);
    }

    /**
     * The head is at or below the tip: a lagging backend (a load-balanced provider, a restarted
     * node) or a chain that got shorter. Only a different hash at a recorded height is a reorg;
     * anything else means waiting for the head to come back, with nothing emitted or reported.
     */
    private boolean behindTip(BlockHeader head) throws IOException, InterruptedException {
        Optional<String> recorded = window.hashAt(head.number());
        if (recorded.isPresent() && !recorded.get().equals(head.hash())) {
            return rewind(head);
        }
        long now = System.nanoTime();
        if (head.number() < window.tip().number() && now - lastLagLog > LOG_EVERY_NANOS) {
            lastLagLog = now;
            log.info(
                    "Chain head is behind the indexer's tip, waiting [head:{}, tip:{},"
                            + " headHash:{}, recorded:{}]",
                    head.number(),
                    window.tip().number(),
                    head.hash(),
                    recorded.isPresent() ? "same" : "not recorded");
        }
        return false;
    }

    /**
     * After a backfill, which confirmed ranges by their end blocks only (or a first start): reads
     * every block of the hash window so that a later reorg is found by comparing hashes, and stores
     * them with the unchanged checkpoint. A recorded hash the chain no longer has is a reorg found
     * on the way.
     */
    private boolean fillHashWindow(BlockHeader head, long from, long to)
            throws IOException, InterruptedException {
        List<BlockHeader> headers = reader.headers(from, to);
        if (!chained(headers)) {
            return true; // the chain moved while reading; read again
        }
        for (BlockHeader h : headers) {
            Optional<String> recorded = window.hashAt(h.number());
            if (recorded.isPresent() && !recorded.get().equals(h.hash())) {
                return rewind(head);
            }
        }
        window.fill(headers);
        // stored at once, so that an indexer restarted before its next batch still has them
        sink.commit(List.of(), events.checkpoint(window.tip(), window.recent()));
        log.debug("Hash window filled [from:{}, to:{}]", from, to);
        return true;
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
        List<BackfillChunks.Chunk> chunks =
                BackfillChunks.split(
                        logs,
                        to,
                        Math.min(chunkEvents, BackfillChunks.DEFAULT_FIRST_EVENTS),
                        chunkEvents);
        TreeSet<Long> ends = new TreeSet<>(List.of(from, to));
        chunks.forEach(c -> ends.add(c.end()));
        Map<Long, BlockHeader> known = new HashMap<>();
        reader.headers(List.copyOf(ends)).forEach(h -> known.put(h.number(), h));
        if (tip.hashKnown() && !known.get(from).parentHash().equals(tip.hash())) {
            return rewind(head);
        }
        if (!consistent(logs, known)) {
            return true; // the chain moved between the calls; read the range again
        }
        emitter.emitAll(chunks, known, window, prefetch);
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
                    return rewind(head);
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

    private boolean rewind(BlockHeader head) throws IOException, InterruptedException {
        return rewinder.rewind(head);
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
