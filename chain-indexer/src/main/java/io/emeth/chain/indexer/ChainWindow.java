package io.emeth.chain.indexer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The indexer's picture of the chain: the confirmed tip (the last block whose logs are all on the
 * topics), the headers of the unconfirmed window above it, linked by parent hash, and the hashes of
 * recently confirmed blocks, which locate the fork point of a reorg deeper than the window.
 *
 * <p>Pure and single-threaded: the indexer asks it whether a header links to what it knows and
 * tells it what the chain now holds; all JSON-RPC calls stay outside.
 */
final class ChainWindow {
    /** Confirmed hashes kept for fork search (and persisted with the checkpoint). */
    static final int RECENT_CONFIRMED = 128;

    private BlockRef tip;
    private final NavigableMap<Long, BlockHeader> unconfirmed = new TreeMap<>();
    private final NavigableMap<Long, String> confirmed = new TreeMap<>();

    ChainWindow(BlockRef tip, Map<Long, String> recentConfirmed) {
        this.tip = tip;
        recentConfirmed.forEach(
                (number, hash) -> {
                    if (number <= tip.number()) {
                        confirmed.put(number, Hex.lower(hash));
                    }
                });
        if (tip.hashKnown()) {
            confirmed.put(tip.number(), tip.hash());
        }
        trim();
    }

    BlockRef tip() {
        return tip;
    }

    /** The highest block known: the top of the unconfirmed window, else the tip. */
    BlockRef top() {
        return unconfirmed.isEmpty() ? tip : unconfirmed.lastEntry().getValue().ref();
    }

    /** The hash known for block {@code number} (window, tip or recent confirmed), if any. */
    Optional<String> hashAt(long number) {
        BlockHeader header = unconfirmed.get(number);
        if (header != null) {
            return Optional.of(header.hash());
        }
        return Optional.ofNullable(confirmed.get(number));
    }

    /** A header of the unconfirmed window. */
    Optional<BlockHeader> header(long number) {
        return Optional.ofNullable(unconfirmed.get(number));
    }

    /**
     * Whether {@code header} extends what is known: its parent is the known block below it (or it
     * is the first block after a tip whose hash was never learned).
     */
    boolean linksToKnown(BlockHeader header) {
        long parent = header.number() - 1;
        if (parent == tip.number() && !tip.hashKnown()) {
            return true;
        }
        if (parent < tip.number()) {
            return false;
        }
        return hashAt(parent).map(header.parentHash()::equals).orElse(false);
    }

    /**
     * Records {@code segment} (ascending, contiguous, its first header linking to what is known,
     * all above the tip) as the chain's current unconfirmed blocks: known blocks at and above its
     * start are replaced.
     *
     * @return how many known unconfirmed blocks the chain replaced with different ones (a reorg
     *     inside the window when positive)
     */
    int acceptUnconfirmed(List<BlockHeader> segment) {
        if (segment.isEmpty()) {
            return 0;
        }
        long from = segment.get(0).number();
        if (from <= tip.number()) {
            throw new IllegalArgumentException(
                    "segment starts at " + from + ", at or below the tip " + tip.number());
        }
        for (int i = 1; i < segment.size(); i++) {
            BlockHeader prev = segment.get(i - 1);
            BlockHeader next = segment.get(i);
            if (next.number() != prev.number() + 1 || !next.parentHash().equals(prev.hash())) {
                throw new IllegalArgumentException(
                        "segment is not a chain at block " + next.number());
            }
        }
        int replaced = 0;
        NavigableMap<Long, BlockHeader> dropped = unconfirmed.tailMap(from, true);
        for (BlockHeader old : dropped.values()) {
            BlockHeader now = segmentAt(segment, old.number());
            if (now == null || !now.hash().equals(old.hash())) {
                replaced++;
            }
        }
        dropped.clear();
        segment.forEach(h -> unconfirmed.put(h.number(), h));
        return replaced;
    }

    /**
     * Moves the tip up to {@code block} (emitted): the window's headers up to it join the recent
     * confirmed hashes, and the window keeps only blocks above it.
     */
    void confirm(BlockRef block) {
        NavigableMap<Long, String> recent = recentAfterConfirming(block);
        tip = block;
        confirmed.clear();
        confirmed.putAll(recent);
        unconfirmed.headMap(block.number(), true).clear();
    }

    /** The recent confirmed hashes as they will be once {@code block} is confirmed. */
    NavigableMap<Long, String> recentAfterConfirming(BlockRef block) {
        if (block.number() < tip.number()) {
            throw new IllegalArgumentException(
                    "cannot confirm block " + block.number() + " below the tip " + tip.number());
        }
        NavigableMap<Long, String> recent = new TreeMap<>(confirmed);
        unconfirmed.headMap(block.number(), true).forEach((n, h) -> recent.put(n, h.hash()));
        if (block.hashKnown()) {
            recent.put(block.number(), block.hash());
        }
        while (recent.size() > RECENT_CONFIRMED) {
            recent.pollFirstEntry();
        }
        return recent;
    }

    /**
     * Known confirmed blocks, highest first (the tip first): where the fork search of a deep reorg
     * compares the chain with what was emitted.
     */
    List<BlockRef> recentConfirmedDescending() {
        List<BlockRef> refs = new ArrayList<>();
        confirmed.descendingMap().forEach((n, h) -> refs.add(new BlockRef(n, h)));
        return Collections.unmodifiableList(refs);
    }

    /** After a deep reorg: {@code fork} (still on the chain) becomes the tip. */
    void rewindTo(BlockRef fork) {
        tip = fork;
        unconfirmed.clear();
        confirmed.tailMap(fork.number(), false).clear();
        if (fork.hashKnown()) {
            confirmed.put(fork.number(), fork.hash());
        }
    }

    /** Recent confirmed hashes, for persisting with the checkpoint. */
    NavigableMap<Long, String> recentConfirmed() {
        return Collections.unmodifiableNavigableMap(confirmed);
    }

    /** Forgets the unconfirmed window (a backfill step re-reads the chain by range instead). */
    void clearUnconfirmed() {
        unconfirmed.clear();
    }

    int unconfirmedSize() {
        return unconfirmed.size();
    }

    private void trim() {
        while (confirmed.size() > RECENT_CONFIRMED) {
            confirmed.pollFirstEntry();
        }
    }

    private static BlockHeader segmentAt(List<BlockHeader> segment, long number) {
        long index = number - segment.get(0).number();
        return index >= 0 && index < segment.size() ? segment.get((int) index) : null;
    }
}
