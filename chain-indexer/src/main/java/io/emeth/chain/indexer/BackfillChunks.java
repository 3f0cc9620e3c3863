package io.emeth.chain.indexer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the logs of one backfill range into chunks of about {@code maxEvents} logs, cut at block
 * boundaries, so that a range becomes several transactions whose reads can run while the previous
 * one commits (see {@link BatchEmitter#emitAll}). Every chunk ends at a block: the last block with
 * a log of the chunk, the range's end for the last one. Pure.
 */
final class BackfillChunks {
    /** Logs per chunk: small enough to pipeline a range, large enough to amortise a commit. */
    static final int DEFAULT_MAX_EVENTS = 1_000;

    /**
     * Logs of a range's first chunk: one {@link ChainReader#JOBS_PER_CALL} read, so that the first
     * (slow, cold) commit starts early and the next chunks are read while it runs.
     */
    static final int DEFAULT_FIRST_EVENTS = ChainReader.JOBS_PER_CALL;

    /** Logs (in chain order) and the block whose checkpoint follows them. */
    record Chunk(List<ChainLog> logs, long end) {
        Chunk {
            logs = List.copyOf(logs);
        }

        @Override
        public String toString() {
            return "Chunk[logs:" + logs.size() + ", end:" + end + "]";
        }
    }

    private BackfillChunks() {}

    /**
     * The chunks of the range ending at {@code to}; {@code logs} in chain order, none above {@code
     * to}. A block's logs are never split; a range without logs is one empty chunk.
     */
    static List<Chunk> split(List<ChainLog> logs, long to, int maxEvents) {
        return split(logs, to, maxEvents, maxEvents);
    }

    /**
     * As {@link #split(List, long, int)}, the first chunk cut at about {@code firstEvents} logs
     * instead.
     */
    static List<Chunk> split(List<ChainLog> logs, long to, int firstEvents, int maxEvents) {
        if (maxEvents < 1 || firstEvents < 1) {
            throw new IllegalArgumentException(
                    "events per chunk " + firstEvents + "/" + maxEvents + " < 1");
        }
        List<Chunk> chunks = new ArrayList<>();
        List<ChainLog> current = new ArrayList<>();
        for (int i = 0; i < logs.size(); i++) {
            ChainLog l = logs.get(i);
            if (l.blockNumber() > to) {
                throw new IllegalArgumentException(
                        "log of block " + l.blockNumber() + " is above the range end " + to);
            }
            current.add(l);
            boolean blockEnds =
                    i + 1 == logs.size() || logs.get(i + 1).blockNumber() != l.blockNumber();
            int limit = chunks.isEmpty() ? firstEvents : maxEvents;
            if (current.size() >= limit && blockEnds && i + 1 < logs.size()) {
                chunks.add(new Chunk(current, l.blockNumber()));
                current = new ArrayList<>();
            }
        }
        chunks.add(new Chunk(current, to));
        return chunks;
    }
}
