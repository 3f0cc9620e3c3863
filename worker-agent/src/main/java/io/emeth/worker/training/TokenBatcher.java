package io.emeth.worker.training;

import java.util.AbstractList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cuts a corpus of token ids into (input, target) windows of {@code contextLength} and groups them
 * in batches.
 *
 * <p>Window {@code i} reads tokens {@code [i·T, i·T + T)} and predicts {@code [i·T + 1, i·T + T]},
 * so one epoch sees every token of the corpus once. The window order of an epoch is a shuffle
 * seeded by {@code (seed, epoch)}: deterministic, so a restarted worker replays the same epoch, yet
 * different from one epoch to the next. Batches are built when read, so memory stays at the corpus
 * plus one index per window.
 */
public final class TokenBatcher {

    /** One batch: {@code rows} windows of {@code columns} tokens, row-major. */
    public record Batch(long[] inputs, long[] targets, int rows, int columns) {
        /** Number of predicted tokens in this batch. */
        public long tokens() {
            return (long) rows * columns;
        }
    }

    private final int[] corpus;
    private final int contextLength;
    private final int batchSize;
    private final int windows;

    /**
     * @throws IllegalArgumentException if the corpus is shorter than {@code contextLength + 1}
     *     tokens or a size is not positive
     */
    public TokenBatcher(byte[] corpus, int contextLength, int batchSize) {
        this(TokenEncoder.ofBytes(corpus), contextLength, batchSize);
    }

    /**
     * @throws IllegalArgumentException if the corpus is shorter than {@code contextLength + 1}
     *     tokens or a size is not positive
     */
    public TokenBatcher(int[] corpus, int contextLength, int batchSize) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be >= 1, was " + contextLength);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (corpus.length < contextLength + 1L) {
            throw new IllegalArgumentException(
                    "corpus has "
                            + corpus.length
                            + " tokens; a window of contextLength "
                            + contextLength
                            + " needs at least "
                            + (contextLength + 1L));
        }
        this.corpus = corpus;
        this.contextLength = contextLength;
        this.batchSize = batchSize;
        this.windows = (corpus.length - 1) / contextLength;
    }

    /** Number of windows in one epoch. */
    public int windows() {
        return windows;
    }

    /** Number of batches in one epoch (the last one may be smaller). */
    public int batchesPerEpoch() {
        return (windows + batchSize - 1) / batchSize;
    }

    /** Number of predicted tokens in one epoch. */
    public long tokensPerEpoch() {
        return (long) windows * contextLength;
    }

    /** The batches of one epoch in shuffled order, deterministic for {@code (seed, epoch)}. */
    public List<Batch> epoch(long seed, long epoch) {
        int[] order = new int[windows];
        for (int i = 0; i < windows; i++) {
            order[i] = i;
        }
        // SplittableRandom's sequence is specified, so the order is the same on every JVM.
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = windows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return batches(order);
    }

    /** The batches of the corpus in order, for evaluation. */
    public List<Batch> sequential() {
        int[] order = new int[windows];
        for (int i = 0; i < windows; i++) {
            order[i] = i;
        }
        return batches(order);
    }

    private List<Batch> batches(int[] order) {
        int count = batchesPerEpoch();
        return new AbstractList<>() {
            @Override
            public Batch get(int index) {
                if (index < 0 || index >= count) {
                    throw new IndexOutOfBoundsException(index);
                }
                return batch(order, index * batchSize);
            }

            @Override
            public int size() {
                return count;
            }
        };
    }

    private Batch batch(int[] order, int start) {
        int rows = Math.min(batchSize, order.length - start);
        long[] inputs = new long[rows * contextLength];
        long[] targets = new long[rows * contextLength];
        for (int r = 0; r < rows; r++) {
            int offset = order[start + r] * contextLength;
            int row = r * contextLength;
            for (int c = 0; c < contextLength; c++) {
                inputs[row + c] = corpus[offset + c];
                targets[row + c] = corpus[offset + c + 1];
            }
        }
        return new Batch(inputs, targets, rows, contextLength);
    }
}
