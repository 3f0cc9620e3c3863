package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the indexer uses the backfill range it read before fencing, and when it reads again. */
class ReadAheadFitTest {
    private static final String A = "0x" + "aa".repeat(32);
    private static final String B = "0x" + "bb".repeat(32);

    @Test
    void shouldTakeARangeReadAfterTheCheckpointItStartsFrom() {
        // Given a range 101..300 read after block 100 (hash A), and a head at 400, 12 confirmations
        // Then a step at that checkpoint takes it, also before any checkpoint (no hash)
        assertThat(ChainFollower.fits(new BlockRef(100, A), 300, new BlockRef(100, A), 400, 12))
                .isTrue();
        assertThat(ChainFollower.fits(BlockRef.before(10), 300, BlockRef.before(10), 400, 12))
                .isTrue();
    }

    @Test
    void shouldReadAgainWhenAnotherInstanceMovedTheCheckpointMeanwhile() {
        // Given a range read after block 100, but the checkpoint read after fencing is at 150
        // Then it is dropped (its first 50 blocks are already on the topics)
        assertThat(ChainFollower.fits(new BlockRef(100, A), 300, new BlockRef(150, A), 400, 12))
                .isFalse();
        // And also when the checkpoint is at the same height on another fork (a rewind meanwhile)
        assertThat(ChainFollower.fits(new BlockRef(100, A), 300, new BlockRef(100, B), 400, 12))
                .isFalse();
        // And when the first start's range was read but a checkpoint exists now
        assertThat(ChainFollower.fits(BlockRef.before(10), 300, new BlockRef(9, A), 400, 12))
                .isFalse();
    }

    @Test
    void shouldReadAgainWhenTheRangeEndIsNoLongerConfirmed() {
        // Given a range to 300 read when the head was higher, and a head now at 305 (a lagging
        // backend) with 12 confirmations: 300 is not confirmed at this head
        // Then it is dropped
        assertThat(ChainFollower.fits(new BlockRef(100, A), 300, new BlockRef(100, A), 305, 12))
                .isFalse();
        assertThat(ChainFollower.fits(new BlockRef(100, A), 300, new BlockRef(100, A), 312, 12))
                .isTrue();
    }
}
