package io.emeth.chain.indexer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The indexer's picture of the chain: the confirmed tip (the last block whose logs are all on the
 * topics), the headers of the unconfirmed window above it, linked by parent hash, and the hash
 * window: the hash of every confirmed block of the last {@code size} blocks up to the tip, with the
 * jobs that had events in each. The hash window is what a fork search compares with the chain, and
 * what tells a rewind which jobs lost events.
 *
 * <p>A backfill confirms ranges by their end block only, so right after one the hash window has
 * gaps; {@link #gaps()} names them and {@link #fill} closes them before the indexer follows the
 * head. Jobs are recorded for every confirmed block, hash or not.
 *
 * <p>Pure and single-threaded: the indexer asks it whether a header links to what it knows and
 * tells it what the chain now holds; all JSON-RPC calls stay outside.
 */
final class ChainWindow {
    /** Default {@code reorg_window}: confirmed blocks whose hashes are kept. */
    static final int DEFAULT_SIZE = 128;

    private final int size;
    private BlockRef tip;
    private final NavigableMap<Long, BlockHeader> unconfirmed = new TreeMap<>();
    private final NavigableMap<Long, String> confirmed = new TreeMap<>();
    private final NavigableMap<Long, Set<String>> jobs = new TreeMap<>();

    ChainWindow(BlockRef tip, Collection<RecordedBlock> recent, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("reorg window " + size + " is not positive");
        }
        this.size = size;
        this.tip = tip;
        for (RecordedBlock b : recent) {
            if (b.number() <= tip.number()) {
                b.hash().ifPresent(h -> confirmed.put(b.number(), Hex.lower(h)));
                if (!b.jobIds().isEmpty()) {
                    jobs.put(b.number(), new TreeSet<>(b.jobIds()));
                }
            }
        }
        if (tip.hashKnown()) {
            confirmed.put(tip.number(), tip.hash());
        }
        trim(confirmed, jobs, tip.number());
    }

    int size() {
        return size;
    }

    BlockRef tip() {
        return tip;
    }

    /** The highest block known: the top of the unconfirmed window, else the tip. */
    BlockRef top() {
        return unconfirmed.isEmpty() ? tip : unconfirmed.lastEntry().getValue().ref();
    }

    /** The hash known for block {@code number} (unconfirmed window or hash window), if any. */
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
     * all above the tip) as the chain's current unconfirmed blocks: known blocks from its start on
     * are replaced (those above its end too: a head that went back forgets them).
     *
     * @return how many known unconfirmed blocks now have another hash at the same height (a reorg
     *     inside the window when positive; blocks only forgotten above a lagging head don't count)
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
            if (now != null && !now.hash().equals(old.hash())) {
                replaced++;
            }
        }
        dropped.clear();
        segment.forEach(h -> unconfirmed.put(h.number(), h));
        return replaced;
    }

    /**
     * Moves the tip up to {@code block} (emitted, with {@code jobsByBlock}: the jobs that had an
     * event in each block): the window's headers up to it join the hash window, and the unconfirmed
     * window keeps only blocks above it.
     */
    void confirm(BlockRef block, Map<Long, ? extends Collection<String>> jobsByBlock) {
        List<RecordedBlock> recent = recentAfterConfirming(block, jobsByBlock);
        tip = block;
        confirmed.clear();
        jobs.clear();
        for (RecordedBlock b : recent) {
            b.hash().ifPresent(h -> confirmed.put(b.number(), h));
            if (!b.jobIds().isEmpty()) {
                jobs.put(b.number(), new TreeSet<>(b.jobIds()));
            }
        }
        unconfirmed.headMap(block.number(), true).clear();
    }

    /** The hash window as it will be once {@code block} is confirmed with {@code jobsByBlock}. */
    List<RecordedBlock> recentAfterConfirming(
            BlockRef block, Map<Long, ? extends Collection<String>> jobsByBlock) {
        if (block.number() < tip.number()) {
            throw new IllegalArgumentException(
                    "cannot confirm block " + block.number() + " below the tip " + tip.number());
        }
        NavigableMap<Long, String> hashes = new TreeMap<>(confirmed);
        unconfirmed.headMap(block.number(), true).forEach((n, h) -> hashes.put(n, h.hash()));
        if (block.hashKnown()) {
            hashes.put(block.number(), block.hash());
        }
        NavigableMap<Long, Set<String>> byBlock = new TreeMap<>();
        jobs.forEach((n, ids) -> byBlock.put(n, new TreeSet<>(ids)));
        jobsByBlock.forEach(
                (n, ids) -> {
                    if (n > tip.number() && n <= block.number() && !ids.isEmpty()) {
                        byBlock.computeIfAbsent(n, k -> new TreeSet<>()).addAll(ids);
                    }
                });
        trim(hashes, byBlock, block.number());
        return recorded(hashes, byBlock);
    }

    /** The hash window, ascending: what the checkpoint persists. */
    List<RecordedBlock> recent() {
        return recorded(confirmed, jobs);
    }

    /** The recorded hashes of confirmed blocks at or below {@code from}, highest first. */
    List<BlockRef> recordedDescending(long from) {
        List<BlockRef> refs = new ArrayList<>();
        confirmed
                .headMap(from, true)
                .descendingMap()
                .forEach((n, h) -> refs.add(new BlockRef(n, h)));
        return Collections.unmodifiableList(refs);
    }

    /** The lowest block with a recorded hash, if any. */
    Optional<BlockRef> lowestRecorded() {
        var first = confirmed.firstEntry();
        return first == null
                ? Optional.empty()
                : Optional.of(new BlockRef(first.getKey(), first.getValue()));
    }

    /** Jobs with an event in a confirmed block above {@code number}, sorted. */
    Set<String> jobsAbove(long number) {
        Set<String> ids = new TreeSet<>();
        jobs.tailMap(number, false).values().forEach(ids::addAll);
        return ids;
    }

    /**
     * The block range the hash window should cover but has holes in (after a backfill), or empty
     * when it is dense. Never asks for hashes while the tip's own hash is unknown.
     */
    Optional<long[]> gaps() {
        if (!tip.hashKnown()) {
            return Optional.empty();
        }
        long low = Math.max(0, tip.number() - size + 1);
        long expected = tip.number() - low + 1;
        if (confirmed.subMap(low, true, tip.number(), true).size() == expected) {
            return Optional.empty();
        }
        return Optional.of(new long[] {low, tip.number()});
    }

    /**
     * Records the hashes of {@code headers} (confirmed blocks read from the chain to close the
     * window's gaps; the caller checked that they agree with the recorded ones).
     */
    void fill(List<BlockHeader> headers) {
        for (BlockHeader h : headers) {
            if (h.number() > tip.number()) {
                throw new IllegalArgumentException(
                        "block " + h.number() + " is above the tip " + tip.number());
            }
            confirmed.put(h.number(), h.hash());
        }
        trim(confirmed, jobs, tip.number());
    }

    /** After a deep reorg: {@code fork} (still on the chain) becomes the tip. */
    void rewindTo(BlockRef fork) {
        tip = fork;
        unconfirmed.clear();
        confirmed.tailMap(fork.number(), false).clear();
        jobs.tailMap(fork.number(), false).clear();
        if (fork.hashKnown()) {
            confirmed.put(fork.number(), fork.hash());
        }
    }

    /** The hash window as it will be after {@link #rewindTo} {@code fork}. */
    List<RecordedBlock> recentAfterRewind(BlockRef fork) {
        NavigableMap<Long, String> hashes = new TreeMap<>(confirmed.headMap(fork.number(), true));
        NavigableMap<Long, Set<String>> byBlock = new TreeMap<>(jobs.headMap(fork.number(), true));
        if (fork.hashKnown()) {
            hashes.put(fork.number(), fork.hash());
        }
        return recorded(hashes, byBlock);
    }

    /** Forgets the unconfirmed window (a backfill step re-reads the chain by range instead). */
    void clearUnconfirmed() {
        unconfirmed.clear();
    }

    int unconfirmedSize() {
        return unconfirmed.size();
    }

    private void trim(
            NavigableMap<Long, String> hashes, NavigableMap<Long, Set<String>> byBlock, long top) {
        long low = top - size + 1;
        hashes.headMap(low, false).clear();
        byBlock.headMap(low, false).clear();
    }

    private static List<RecordedBlock> recorded(
            NavigableMap<Long, String> hashes, NavigableMap<Long, Set<String>> byBlock) {
        TreeSet<Long> numbers = new TreeSet<>(hashes.keySet());
        numbers.addAll(byBlock.keySet());
        List<RecordedBlock> out = new ArrayList<>(numbers.size());
        for (long n : numbers) {
            out.add(
                    new RecordedBlock(
                            n,
                            Optional.ofNullable(hashes.get(n)),
                            List.copyOf(byBlock.getOrDefault(n, Set.of()))));
        }
        return out;
    }

    private static BlockHeader segmentAt(List<BlockHeader> segment, long number) {
        long index = number - segment.get(0).number();
        return index >= 0 && index < segment.size() ? segment.get((int) index) : null;
    }
}
