package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.config.Cooperative;
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
    void shouldAccumulateStrongestFirstUntilTheRequiredCapacityInNvm() {
        assertThat(Matcher.select(Cooperative.NVM, FREE.iterator(), 50))
                .extracting(Candidate::worker)
                .containsExactly("a", "b");
        assertThat(Matcher.select(Cooperative.NVM, FREE.iterator(), 55))
                .extracting(Candidate::worker)
                .containsExactly("a", "b");
        assertThat(Matcher.select(Cooperative.NVM, FREE.iterator(), 56))
                .extracting(Candidate::worker)
                .containsExactly("a", "b", "c");
        assertThat(Matcher.select(Cooperative.NVM, FREE.iterator(), 86)).isEmpty();
        assertThat(Matcher.select(Cooperative.NVM, FREE.iterator(), 0))
                .extracting(Candidate::worker)
                .containsExactly("a");
    }

    @Test
    void shouldTakeOnlyTheStrongestIn1v1() {
        assertThat(Matcher.select(Cooperative.ONE_V_ONE, FREE.iterator(), 30))
                .extracting(Candidate::worker)
                .containsExactly("a");
        assertThat(Matcher.select(Cooperative.ONE_V_ONE, FREE.iterator(), 31)).isEmpty();
        assertThat(Matcher.select(Cooperative.ONE_V_ONE, List.<Candidate>of().iterator(), 1))
                .isEmpty();
    }

    @Test
    void shouldOrderFreeKeysStrongestFirstAndPendingKeysHighestFeeFirst() {
        assertThat(PoolKeys.free("p", 30, "a")).isLessThan(PoolKeys.free("p", 25, "b"));
        assertThat(PoolKeys.freeCapacity(PoolKeys.free("p", 12_345, "0xabc"))).isEqualTo(12_345);
        assertThat(PoolKeys.freeWorker(PoolKeys.free("p", 1, "0xabc"))).isEqualTo("0xabc");
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
