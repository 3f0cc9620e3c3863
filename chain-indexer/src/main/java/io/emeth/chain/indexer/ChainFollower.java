package io.emeth.chain.indexer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
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
    private final ExecutorService readAheadPool;
    private Future<RangeRead> ahead;
    private boolean firstRange = true;
    private long lastLagLog = System.nanoTime() - LOG_EVERY_NANOS;

    ChainFollower(
            ChainReader reader,
            ChainWindow window,
            RangeSizer ranges,
            int confirmations,
            EventFactory events,
            BatchEmitter emitter,
            IndexerSink sink,
            IndexerMetrics metrics,
            ExecutorService prefetch,
            int chunkEvents,
            ExecutorService readAheadPool,
            Future<RangeRead> ahead) {
        this.readAheadPool = readAheadPool;
        this.ahead = ahead;
        this.reader = reader;
        this.prefetch = prefetch;
        this.chunkEvents = chunkEvents;
        this.window = window;
        this.ranges = ranges;
        this.confirmations = confirmations;
        this.sink = sink;
        this.events = events;
        this.metrics = metrics;
        this.emitter = emitter;
        this.rewinder = new ChainRewinder(reader, window, events, sink, metrics);
    }

    /** One step; true when it did something and more may be waiting. */
    boolean step() throws IOException, InterruptedException {
        Future<RangeRead> readAhead = ahead;
        ahead = null;
        BlockHeader head = reader.latest();
        metrics.seen(head.number());
        BlockRef tip = window.tip();
        if (!rewinder.halted() && behindForBackfill(head.number(), tip.number(), confirmations)) {
            return backfill(head, taken(readAhead, tip, head));
        }
        discard(readAhead);
        if (rewinder.halted()) {
            return rewinder.resumeIfRecordedBlocksReturned(head);
        }
        if (head.number() <= tip.number()) {
            return behindTip(head);
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

    /**
     * The first backfill range after a start is this fraction of the largest: its logs arrive
     * sooner, so its first chunk is enriched and committed sooner, and the next range is read while
     * it commits.
     */
    static final int FIRST_RANGE_DIVISOR = 8;

    /** The end of the first range after a start, from {@code from}, not beyond {@code limit}. */
    static long firstRangeEnd(long from, long limit, int maxRange) {
        return Math.min(limit, from + Math.max(1, maxRange / FIRST_RANGE_DIVISOR) - 1);
    }

    /** Whether the head is so far above the tip that the indexer backfills ranges. */
    static boolean behindForBackfill(long head, long tip, int confirmations) {
        return head > tip && head - tip > (long) confirmations + FOLLOW_GAP;
    }

    /**
     * A backfill range read from the block after {@code after} to {@code to}: its logs (chain
     * order), the headers of its first block, its end and every chunk's end, and its chunks being
     * prepared.
     */
    record RangeRead(
            BlockRef after,
            long to,
            List<ChainLog> logs,
            Map<Long, BlockHeader> known,
            BatchEmitter.Pipeline pipeline) {}

    /**
     * Reads the headers a range's logs need and starts preparing its chunks: the part of a backfill
     * step that writes nothing, so that it can run before the indexer holds its transactional id
     * (see {@link Indexer}).
     */
    static RangeRead readRange(
            ChainReader reader,
            BatchEmitter emitter,
            BlockRef after,
            long to,
            List<ChainLog> logs,
            int chunkEvents,
            ExecutorService prefetch,
            boolean prepareNow)
            throws IOException, InterruptedException {
        long from = after.number() + 1;
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
        return new RangeRead(
                after, to, logs, known, emitter.pipeline(chunks, known, prefetch, prepareNow));
    }

    /**
     * The range read ahead, when it starts right after {@code tip} and ends at a block confirmed at
     * {@code head}; else drops it. A read ahead that failed is dropped too: the step reads again.
     */
    private RangeRead taken(Future<RangeRead> readAhead, BlockRef tip, BlockHeader head)
            throws InterruptedException {
        if (readAhead == null) {
            return null;
        }
        RangeRead read;
        try {
            read = readAhead.get();
        } catch (ExecutionException | CancellationException e) {
            log.debug("Range read ahead failed, reading again [error:{}]", e.toString());
            return null;
        }
        if (read == null) {
            return null;
        }
        if (!fits(read.after(), read.to(), tip, head.number(), confirmations)) {
            log.debug(
                    "Range read ahead does not start at the checkpoint, reading again"
                            + " [aheadAfter:{}, tip:{}]",
                    read.after(),
                    tip);
            read.pipeline().cancel();
            return null;
        }
        return read;
    }

    /**
     * Whether a range read ahead from the block after {@code after} to {@code to} is the range a
     * step at {@code tip} would read: it starts right after the tip (number and hash, so a guess
     * from a checkpoint that another instance has since moved, or rewound to the same height on
     * another fork, is not taken) and ends at a block that is confirmed at {@code head}.
     */
    static boolean fits(BlockRef after, long to, BlockRef tip, long head, int confirmations) {
        return after.equals(tip) && to > tip.number() && to <= head - confirmations;
    }

    /** Drops a read ahead the step does not use. */
    static void discard(Future<RangeRead> readAhead) {
        if (readAhead == null || readAhead.cancel(true)) {
            return;
        }
        try {
            RangeRead read = readAhead.get();
            if (read != null) {
                read.pipeline().cancel();
            }
        } catch (ExecutionException | CancellationException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean backfill(BlockHeader head, RangeRead readAhead)
            throws IOException, InterruptedException {
        window.clearUnconfirmed();
        BlockRef tip = window.tip();
        long from = tip.number() + 1;
        RangeRead read = readAhead;
        if (read == null) {
            long limit = head.number() - confirmations;
            long to =
                    firstRange
                            ? firstRangeEnd(from, limit, ranges.size())
                            : ranges.end(from, limit);
            List<ChainLog> logs;
            try {
                logs = reader.logs(from, to);
            } catch (IOException e) {
                if (RangeSizer.isRangeLimit(e) && ranges.shrink()) {
                    log.info(
                            "Node refused the log range, halving it [from:{}, to:{}, next:{},"
                                    + " error:{}]",
                            from,
                            to,
                            ranges.size(),
                            e.getMessage());
                    return true;
                }
                throw e;
            }
            read = readRange(reader, emitter, tip, to, logs, chunkEvents, prefetch, true);
        }
        firstRange = false;
        ranges.succeeded();
        Map<Long, BlockHeader> known = read.known();
        if (tip.hashKnown() && !known.get(from).parentHash().equals(tip.hash())) {
            read.pipeline().cancel();
            return rewind(head);
        }
        if (!consistent(read.logs(), known)) {
            read.pipeline().cancel();
            return true; // the chain moved between the calls; read the range again
        }
        readNextAhead(head, known.get(read.to()));
        emitter.emitAll(read.pipeline(), window, sink, this::startPreparingNext);
        return true;
    }

    /** Starts preparing the next range's first chunks once its read ahead is done. */
    private void startPreparingNext() {
        Future<RangeRead> next = ahead;
        if (next == null || !next.isDone() || next.isCancelled()) {
            return;
        }
        try {
            RangeRead read = next.get();
            if (read != null) {
                read.pipeline().start();
            }
        } catch (ExecutionException e) {
            // the step that takes it reads again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * While this range commits, reads the next one (logs and headers; its chunks are prepared when
     * a step takes it) if the head is still far enough above for a backfill. The next step takes it
     * only if it starts at the checkpoint this range leaves, {@code end}.
     */
    private void readNextAhead(BlockHeader head, BlockHeader end) {
        if (readAheadPool == null
                || !behindForBackfill(head.number(), end.number(), confirmations)) {
            return;
        }
        long from = end.number() + 1;
        long to = ranges.end(from, head.number() - confirmations);
        ahead =
                readAheadPool.submit(
                        () ->
                                readRange(
                                        reader,
                                        emitter,
                                        end.ref(),
                                        to,
                                        reader.logs(from, to),
                                        chunkEvents,
                                        prefetch,
                                        false));
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
        emitter.emit(logs, known.get(target).ref(), known, window, sink);
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
