package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChainWindowTest {
    static String hash(String fork, long n) {
        return "0x" + String.format("%062x", n) + fork;
    }

    static BlockHeader header(String fork, long n, String parentFork) {
        return new BlockHeader(n, hash(fork, n), hash(parentFork, n - 1), 1_000 + n);
    }

    @Test
    void shouldLinkHeadersThatExtendTheTip() {
        // Given a tip at block 10 of fork "aa"
        ChainWindow window = new ChainWindow(new BlockRef(10, hash("aa", 10)), Map.of());

        // Then block 11 of the same fork links and one whose parent differs does not
        assertThat(window.linksToKnown(header("aa", 11, "aa"))).isTrue();
        assertThat(window.linksToKnown(header("bb", 11, "bb"))).isFalse();
        assertThat(window.linksToKnown(header("aa", 12, "aa"))).isFalse();
    }

    @Test
    void shouldLinkAnythingAfterATipWhoseHashIsUnknown() {
        ChainWindow window = new ChainWindow(BlockRef.before(5), Map.of());
        assertThat(window.linksToKnown(header("zz", 5, "zz"))).isTrue();
    }

    @Test
    void shouldCountReplacedBlocksOfAReorgInsideTheWindow() {
        // Given blocks 11..13 of fork "aa" in the window
        ChainWindow window = new ChainWindow(new BlockRef(10, hash("aa", 10)), Map.of());
        window.acceptUnconfirmed(
                List.of(header("aa", 11, "aa"), header("aa", 12, "aa"), header("aa", 13, "aa")));

        // When the chain replaces 12 and 13 with fork "bb"
        int replaced =
                window.acceptUnconfirmed(
                        List.of(
                                header("bb", 12, "aa"),
                                header("bb", 13, "bb"),
                                header("bb", 14, "bb")));

        // Then two known blocks were replaced and the window holds the new fork
        assertThat(replaced).isEqualTo(2);
        assertThat(window.hashAt(13)).contains(hash("bb", 13));
        assertThat(window.top()).isEqualTo(new BlockRef(14, hash("bb", 14)));
    }

    @Test
    void shouldRefuseASegmentThatIsNotAChainOrStartsAtTheTip() {
        ChainWindow window = new ChainWindow(new BlockRef(10, hash("aa", 10)), Map.of());
        assertThatThrownBy(
                        () ->
                                window.acceptUnconfirmed(
                                        List.of(header("aa", 11, "aa"), header("bb", 12, "bb"))))
                .hasMessageContaining("not a chain at block 12");
        assertThatThrownBy(() -> window.acceptUnconfirmed(List.of(header("aa", 10, "aa"))))
                .hasMessageContaining("at or below the tip");
    }

    @Test
    void shouldKeepConfirmedHashesDenseAndBounded() {
        // Given a window of 200 blocks
        ChainWindow window = new ChainWindow(new BlockRef(0, hash("aa", 0)), Map.of());
        for (long n = 1; n <= 200; n++) {
            window.acceptUnconfirmed(List.of(header("aa", n, "aa")));
        }

        // When all are confirmed
        window.confirm(new BlockRef(200, hash("aa", 200)));

        // Then the most recent ones are kept, highest first, the oldest dropped
        assertThat(window.recentConfirmed()).hasSize(ChainWindow.RECENT_CONFIRMED);
        assertThat(window.recentConfirmedDescending().get(0).number()).isEqualTo(200);
        assertThat(window.recentConfirmed().firstKey())
                .isEqualTo(200 - ChainWindow.RECENT_CONFIRMED + 1);
        assertThat(window.unconfirmedSize()).isZero();
    }

    @Test
    void shouldRewindToTheForkPoint() {
        ChainWindow window =
                new ChainWindow(
                        new BlockRef(20, hash("aa", 20)),
                        Map.of(18L, hash("aa", 18), 19L, hash("aa", 19)));
        window.acceptUnconfirmed(List.of(header("aa", 21, "aa")));

        window.rewindTo(new BlockRef(18, hash("aa", 18)));

        assertThat(window.tip()).isEqualTo(new BlockRef(18, hash("aa", 18)));
        assertThat(window.recentConfirmed()).containsOnlyKeys(18L);
        assertThat(window.unconfirmedSize()).isZero();
    }

    @Test
    void shouldNotConfirmBelowTheTip() {
        ChainWindow window = new ChainWindow(new BlockRef(20, hash("aa", 20)), Map.of());
        assertThatThrownBy(() -> window.confirm(new BlockRef(19, hash("aa", 19))))
                .hasMessageContaining("below the tip 20");
    }
}
