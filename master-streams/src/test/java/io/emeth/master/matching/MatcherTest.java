package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.config.Cooperative;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.schemas.avro.worker.ByteRange;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class MatcherTest {
    private static final List<Candidate> FREE =
            List.of(
                    new Candidate("a", 30),
                    new Candidate("b", 25),
                    new Candidate("c", 20),
                    new Candidate("d", 10));

    @Test
    void shouldAccumulateStrongestFirstUntilTheNeededCapacityInNvm() {
        assertThat(select(Cooperative.NVM, List.of(), 50)).containsExactly("a", "b");
        assertThat(select(Cooperative.NVM, List.of(), 55)).containsExactly("a", "b");
        assertThat(select(Cooperative.NVM, List.of(), 56)).containsExactly("a", "b", "c");
        assertThat(select(Cooperative.NVM, List.of(), 86)).isEmpty();
        assertThat(select(Cooperative.NVM, List.of(), 1)).containsExactly("a");
    }

    @Test
    void shouldStartFromTheKeptWorkersInNvm() {
        List<Candidate> kept = List.of(new Candidate("k", 40));
        assertThat(select(Cooperative.NVM, kept, 40)).containsExactly("k");
        assertThat(select(Cooperative.NVM, kept, 70)).containsExactly("k", "a");
        assertThat(select(Cooperative.NVM, kept, 71)).containsExactly("k", "a", "b");
        assertThat(select(Cooperative.NVM, kept, 126)).isEmpty();
    }

    @Test
    void shouldTakeOnlyTheStrongestIn1v1() {
        assertThat(select(Cooperative.ONE_V_ONE, List.of(), 30)).containsExactly("a");
        assertThat(select(Cooperative.ONE_V_ONE, List.of(), 31)).isEmpty();
        assertThat(
                        Matcher.select(
                                Cooperative.ONE_V_ONE,
                                List.of(),
                                List.<Candidate>of().iterator(),
                                1))
                .isEmpty();
        // a kept worker is the whole selection in 1v1
        List<Candidate> kept = List.of(new Candidate("k", 40));
        assertThat(select(Cooperative.ONE_V_ONE, kept, 40)).containsExactly("k");
        assertThat(select(Cooperative.ONE_V_ONE, kept, 41)).isEmpty();
    }

    @Test
    void shouldNeedTheLargerOfRAndTheDeadlineCapacity() {
        // gas 5, T = 100,000 s: R = 50; at the request 96,400 s remain before the margin, and
        // 5·10^6 / c < 96,400 first holds at c = 52
        long requestedAt = 1_000_000;
        JobPlan plan = plan(requestedAt, 100_000_000L, 50);
        assertThat(Matcher.needed(plan, 2, requestedAt)).isEqualTo(52);
        // with one epoch of two left, the deadline asks for 26: R = 50 binds
        assertThat(Matcher.needed(plan, 1, requestedAt)).isEqualTo(50);
        // once the margin has passed nothing can serve
        assertThat(Matcher.needed(plan, 2, requestedAt + 96_400_000)).isEqualTo(Long.MAX_VALUE);
    }

    private static JobPlan plan(long requestedAt, long timeLimitMs, long required) {
        return new JobPlan(
                "0x" + "ab".repeat(16),
                BigInteger.TEN,
                requestedAt + timeLimitMs,
                requestedAt,
                4_096,
                "data",
                0,
                2,
                "en",
                5,
                required);
    }

    private static List<String> select(Cooperative mode, List<Candidate> kept, long needed) {
        return Matcher.select(mode, kept, FREE.iterator(), needed).stream()
                .map(Candidate::worker)
                .toList();
    }

    @Test
    void shouldOrderFreeKeysStrongestFirstAndPendingKeysHighestFeeFirst() {
        BigInteger big = BigInteger.TWO.pow(70);
        assertThat(PoolKeys.pending("p", big, 5, "j1"))
                .isLessThan(PoolKeys.pending("p", big.subtract(BigInteger.ONE), 1, "j2"));
        assertThat(PoolKeys.pending("p", big, 1, "j1"))
                .isLessThan(PoolKeys.pending("p", big, 2, "j0"));
        assertThat(PoolKeys.pendingJob(PoolKeys.pending("p", big, 1, "0xjob"))).isEqualTo("0xjob");
    }

    @Test
    void shouldSplitShardsByCapacityAndKeepAValidationTail() {
        List<Member> members = List.of(new Member("a", 0, 300), new Member("b", 1, 100));
        List<ByteRange> shards = ShardPlanner.shards(10_000, "en", members);
        ByteRange validation = ShardPlanner.validation(10_000, "en");
        assertThat(validation.getStartByte()).isEqualTo(9_300);
        assertThat(validation.getEndByte()).isEqualTo(10_000);
        assertThat(shards.get(0).getStartByte()).isZero();
        assertThat(shards.get(0).getEndByte()).isEqualTo(6_975);
        assertThat(shards.get(1).getStartByte()).isEqualTo(6_975);
        assertThat(shards.get(1).getEndByte()).isEqualTo(9_300);
        assertThat(ShardPlanner.validation(10_000, "ja").getStartByte()).isEqualTo(9_000);
        assertThat(ShardPlanner.shards(Long.MAX_VALUE / 2, "en", members).get(1).getEndByte())
                .isPositive();
    }
}
