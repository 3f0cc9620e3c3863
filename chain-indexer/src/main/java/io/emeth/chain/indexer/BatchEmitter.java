package io.emeth.chain.indexer;

import io.emeth.chain.indexer.DecodedLog.Ignored;
import io.emeth.chain.indexer.DecodedLog.Rejected;
import io.emeth.chain.indexer.DecodedLog.Requested;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of confirmed logs into records and commits them with the new checkpoint: decodes
 * each log, enriches the requests (jobDetails, block timestamp, data set size), writes events and
 * alerts in chain order through {@link IndexerSink} in one transaction, then moves the window's
 * tip. Nothing moves unless the transaction committed.
 */
final class BatchEmitter {
    /** Backfill chunks prepared while one commits; {@code emitAll}'s pool needs as many threads. */
    static final int PREFETCH_DEPTH = 2;

    private static final Logger log = LoggerFactory.getLogger(BatchEmitter.class);

    private final ChainReader reader;
    private final EventFactory events;
    private final DatasetSizes sizes;
    private final IndexerSink sink;
    private final IndexerMetrics metrics;

    BatchEmitter(
            ChainReader reader,
            EventFactory events,
            DatasetSizes sizes,
            IndexerSink sink,
            IndexerMetrics metrics) {
        this.reader = reader;
        this.events = events;
        this.sizes = sizes;
        this.sink = sink;
        this.metrics = metrics;
    }

    /**
     * Emits the logs (in chain order) and moves the checkpoint to {@code newTip}, in one
     * transaction. {@code headers} holds headers already fetched (for Request timestamps).
     */
    void emit(
            List<ChainLog> logs,
            BlockRef newTip,
            Map<Long, BlockHeader> headers,
            ChainWindow window)
            throws IOException, InterruptedException {
        commit(prepare(logs, newTip, headers, sizes), window);
    }

    /**
     * Emits a backfill range split into {@code chunks} (in chain order), one transaction per chunk,
     * each moving the checkpoint to its chunk's end block (whose header {@code headers} must hold).
     * The reads of chunk N+1 run on {@code prefetch} while chunk N's transaction commits; only the
     * commits (on the calling thread) touch Kafka and {@code window}, in order, so a failure
     * anywhere leaves the checkpoint at the last committed chunk and the prefetched work is
     * dropped. Each data set's size is asked once per range.
     */
    void emitAll(
            List<BackfillChunks.Chunk> chunks,
            Map<Long, BlockHeader> headers,
            ChainWindow window,
            ExecutorService prefetch)
            throws IOException, InterruptedException {
        DatasetSizes rangeSizes = DatasetSizes.memo(sizes);
        Deque<Future<Prepared>> ahead = new ArrayDeque<>();
        int submitted = 0;
        try {
            for (int i = 0; i < chunks.size(); i++) {
                while (submitted < chunks.size() && submitted <= i + PREFETCH_DEPTH) {
                    BackfillChunks.Chunk chunk = chunks.get(submitted++);
                    ahead.add(prefetch.submit(() -> prepare(chunk, headers, rangeSizes)));
                }
                commit(await(ahead.poll()), window);
            }
        } finally {
            ahead.forEach(f -> f.cancel(true));
        }
    }

    /** A batch decoded and enriched, ready to commit with the checkpoint at {@code newTip}. */
    private record Prepared(List<Emission> out, BlockRef newTip, long prepareNanos) {}

    private Prepared prepare(
            BackfillChunks.Chunk chunk, Map<Long, BlockHeader> headers, DatasetSizes rangeSizes)
            throws IOException, InterruptedException {
        BlockHeader end = headers.get(chunk.end());
        if (end == null) {
            throw new IllegalStateException("no header for the end of chunk " + chunk);
        }
        return prepare(chunk.logs(), end.ref(), headers, rangeSizes);
    }

    /** Decodes and enriches {@code logs}: JSON-RPC and storage reads only, no Kafka, no window. */
    private Prepared prepare(
            List<ChainLog> logs,
            BlockRef newTip,
            Map<Long, BlockHeader> headers,
            DatasetSizes rangeSizes)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        List<ChainLog> live = logs.stream().filter(l -> !l.removed()).toList();
        List<DecodedLog> decoded = live.stream().map(LogDecoder::decode).toList();
        Enrichment enrichment = enrich(live, decoded, headers, rangeSizes);
        List<Emission> out = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            ChainLog chainLog = live.get(i);
            DecodedLog d = decoded.get(i);
            if (d instanceof Ignored ignored) {
                log.debug(
                        "Skipped {} log [block:{}, logIndex:{}]",
                        ignored.event(),
                        chainLog.blockNumber(),
                        chainLog.logIndex());
            } else if (d instanceof Rejected rejected) {
                out.add(events.rejected(chainLog, rejected.reason()));
            } else if (d instanceof Requested r) {
                JobDetails jd = enrichment.details().get(r.jobId());
                out.add(
                        events.requested(
                                chainLog,
                                r,
                                jd,
                                enrichment.sizes().get(jd.dataset()),
                                timestamp(chainLog, enrichment.headers())));
            } else {
                out.add(events.plain(chainLog, d));
            }
        }
        return new Prepared(out, newTip, System.nanoTime() - start);
    }

    /** Writes a prepared batch and its checkpoint in one transaction, then moves the tip. */
    private void commit(Prepared batch, ChainWindow window) {
        List<Emission> out = batch.out();
        BlockRef newTip = batch.newTip();
        long start = System.nanoTime();
        Map<Long, Set<String>> jobsByBlock = jobsByBlock(out);
        sink.commit(
                out, events.checkpoint(newTip, window.recentAfterConfirming(newTip, jobsByBlock)));
        window.confirm(newTip, jobsByBlock);
        metrics.confirmed(newTip.number());
        for (Emission e : out) {
            String type = EventTypes.of(e);
            metrics.emitted(type);
            if (type.equals("ChainLogRejected")) {
                metrics.rejectedLog();
                log.warn("Rejected log [block:{}, alert:{}]", newTip.number(), e.value());
            }
        }
        log.debug(
                "Indexed blocks [to:{}, hash:{}, records:{}, prepareMs:{}, commitMs:{}]",
                newTip.number(),
                newTip.hash(),
                out.size(),
                batch.prepareNanos() / 1_000_000,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static Prepared await(Future<Prepared> next) throws IOException, InterruptedException {
        try {
            return next.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof InterruptedException ie) {
                throw ie;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("preparing a backfill chunk failed: " + cause, cause);
        }
    }

    /** The time of the log's block: from its header when known, else as the log carries it. */
    private static long timestamp(ChainLog l, Map<Long, BlockHeader> headers) {
        BlockHeader h = headers.get(l.blockNumber());
        return h != null ? h.timestamp() : l.blockTimestamp();
    }

    /** The jobs with an event in each block, for the hash window (and a later rewind). */
    private static Map<Long, Set<String>> jobsByBlock(List<Emission> out) {
        Map<Long, Set<String>> byBlock = new HashMap<>();
        for (Emission e : out) {
            if (e.value() instanceof ChainJobEvent event) {
                byBlock.computeIfAbsent(
                                event.getPosition().getBlockNumber(), n -> new LinkedHashSet<>())
                        .add(event.getJobId());
            }
        }
        return byBlock;
    }

    /** What the requests of a batch need beyond their logs. */
    private record Enrichment(
            Map<String, JobDetails> details,
            Map<Long, BlockHeader> headers,
            Map<String, Long> sizes) {}

    private Enrichment enrich(
            List<ChainLog> live,
            List<DecodedLog> decoded,
            Map<Long, BlockHeader> known,
            DatasetSizes rangeSizes)
            throws IOException, InterruptedException {
        Set<String> jobIds = new LinkedHashSet<>();
        Set<Long> blocks = new LinkedHashSet<>();
        for (int i = 0; i < live.size(); i++) {
            if (decoded.get(i) instanceof Requested r) {
                jobIds.add(r.jobId());
                ChainLog l = live.get(i);
                if (!known.containsKey(l.blockNumber()) && l.blockTimestamp() < 0) {
                    blocks.add(live.get(i).blockNumber());
                }
            }
        }
        Map<String, JobDetails> details = reader.jobDetails(jobIds);
        Map<Long, BlockHeader> headers = new HashMap<>(known);
        reader.headers(List.copyOf(blocks)).forEach(h -> headers.put(h.number(), h));
        Set<String> datasets = new LinkedHashSet<>();
        details.forEach(
                (id, d) -> {
                    if (d.problem(id).isEmpty()) {
                        datasets.add(d.dataset());
                    }
                });
        return new Enrichment(details, headers, rangeSizes.sizes(datasets));
    }
}
