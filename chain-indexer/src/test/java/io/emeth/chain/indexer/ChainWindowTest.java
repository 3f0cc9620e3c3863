package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChainWindowTest {
    static String hash(String fork, long n) {
        return "0x" + String.format("%062x", n) + fork;
    }

    static BlockHeader header(String fork, long n, String parentFork) {
        return new BlockHeader(n, hash(fork, n), hash(parentFork, n - 1), 1_000 + n);
    }

    static ChainWindow window(BlockRef tip) {
        return new ChainWindow(tip, List.of(), ChainWindow.DEFAULT_SIZE);
    }

    static RecordedBlock recorded(String fork, long n, String... jobs) {
        return new RecordedBlock(n, Optional.of(hash(fork, n)), List.of(jobs));
    }

    @Test
    void shouldLinkHeadersThatExtendTheTip() {
        // Given a tip at block 10 of fork "aa"
        ChainWindow window = window(new BlockRef(10, hash("aa", 10)));

        // Then block 11 of the same fork links and one whose parent differs does not
        assertThat(window.linksToKnown(header("aa", 11, "aa"))).isTrue();
        assertThat(window.linksToKnown(header("bb", 11, "bb"))).isFalse();
        assertThat(window.linksToKnown(header("aa", 12, "aa"))).isFalse();
    }

    @Test
    void shouldLinkAnythingAfterATipWhoseHashIsUnknown() {
        ChainWindow window = window(BlockRef.before(5));
        assertThat(window.linksToKnown(header("zz", 5, "zz"))).isTrue();
    }

    @Test
    void shouldCountReplacedBlocksOfAReorgInsideTheWindow() {
        // Given blocks 11..13 of fork "aa" in the window
        ChainWindow window = window(new BlockRef(10, hash("aa", 10)));
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
        ChainWindow window = window(new BlockRef(10, hash("aa", 10)));
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
        ChainWindow window = window(new BlockRef(0, hash("aa", 0)));
        for (long n = 1; n <= 200; n++) {
            window.acceptUnconfirmed(List.of(header("aa", n, "aa")));
        }

        // When all are confirmed
        window.confirm(new BlockRef(200, hash("aa", 200)), Map.of());

        // Then every one of the last 128 is kept, highest first, the oldest dropped
        assertThat(window.recent()).hasSize(ChainWindow.DEFAULT_SIZE);
        assertThat(window.recordedDescending(200).get(0).number()).isEqualTo(200);
        assertThat(window.recent().get(0).number()).isEqualTo(200 - ChainWindow.DEFAULT_SIZE + 1);
        assertThat(window.gaps()).isEmpty();
        assertThat(window.unconfirmedSize()).isZero();
    }

    @Test
    void shouldRewindToTheForkPoint() {
        // Given blocks 18..20 recorded, jobs with events in 18 and 20
        ChainWindow window =
                new ChainWindow(
                        new BlockRef(20, hash("aa", 20)),
                        List.of(
                                recorded("aa", 18, "0xj1"),
                                recorded("aa", 19),
                                recorded("aa", 20, "0xj2", "0xj3")),
                        ChainWindow.DEFAULT_SIZE);
        window.acceptUnconfirmed(List.of(header("aa", 21, "aa")));

        // Then a rewind to 18 drops the jobs of 19 and 20 only
        BlockRef fork = new BlockRef(18, hash("aa", 18));
        assertThat(window.jobsAbove(18)).containsExactly("0xj2", "0xj3");
        assertThat(window.recentAfterRewind(fork)).containsExactly(recorded("aa", 18, "0xj1"));

        window.rewindTo(fork);

        assertThat(window.tip()).isEqualTo(fork);
        assertThat(window.recent()).containsExactly(recorded("aa", 18, "0xj1"));
        assertThat(window.jobsAbove(17)).containsExactly("0xj1");
        assertThat(window.unconfirmedSize()).isZero();
    }

    @Test
    void shouldNotConfirmBelowTheTip() {
        ChainWindow window = window(new BlockRef(20, hash("aa", 20)));
        assertThatThrownBy(() -> window.confirm(new BlockRef(19, hash("aa", 19)), Map.of()))
                .hasMessageContaining("below the tip 20");
    }

    @Test
    void shouldNameTheGapsABackfillLeftAndCloseThemWithFill() {
        // Given a backfill that confirmed blocks 1..300 by their end (300) with a job in 250
        ChainWindow window = window(new BlockRef(0, hash("aa", 0)));
        window.confirm(new BlockRef(300, hash("aa", 300)), Map.of(250L, List.of("0xj1")));

        // Then the window asks for blocks 173..300, keeps the job, and is dense once filled
        assertThat(window.gaps()).hasValueSatisfying(g -> assertThat(g).containsExactly(173, 300));
        assertThat(window.recent())
                .contains(new RecordedBlock(250, Optional.empty(), List.of("0xj1")));
        List<BlockHeader> headers = new java.util.ArrayList<>();
        for (long n = 173; n <= 300; n++) {
            headers.add(header("aa", n, "aa"));
        }
        window.fill(headers);
        assertThat(window.gaps()).isEmpty();
        assertThat(window.recent()).hasSize(128).contains(recorded("aa", 250, "0xj1"));
        assertThat(window.recordedDescending(299).get(0))
                .isEqualTo(new BlockRef(299, hash("aa", 299)));
    }

    @Test
    void shouldNotCountBlocksForgottenAboveALaggingHeadAsReplaced() {
        // Given blocks 11..13 in the window
        ChainWindow window = window(new BlockRef(10, hash("aa", 10)));
        window.acceptUnconfirmed(
                List.of(header("aa", 11, "aa"), header("aa", 12, "aa"), header("aa", 13, "aa")));

        // When a lagging backend answers 12 as the head (same hash)
        int replaced = window.acceptUnconfirmed(List.of(header("aa", 12, "aa")));

        // Then nothing was replaced
        assertThat(replaced).isZero();
        assertThat(window.top()).isEqualTo(new BlockRef(12, hash("aa", 12)));
    }

    @Test
    void shouldRefuseAWindowThatIsNotPositive() {
        assertThatThrownBy(() -> new ChainWindow(BlockRef.before(0), List.of(), 0))
                .hasMessageContaining("reorg window 0");
    }
}
