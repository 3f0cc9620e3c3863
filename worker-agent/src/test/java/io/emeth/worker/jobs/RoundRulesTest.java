package io.emeth.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.worker.training.TokenBatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRulesTest {

    private static final String A = "0x00000000000000000000000000000000000000Aa";
    private static final String B = "0x00000000000000000000000000000000000000Bb";

    @Test
    void shouldPlanTheTokensTheBatcherTrainsOn() {
        // Given shards of several lengths and a context of 32
        for (int length : new int[] {33, 64, 65, 1000, 4097}) {
            // Then the plan's count is the batcher's tokens per epoch
            assertThat(RoundRules.plannedTokens(length, 32))
                    .as("shard of %d tokens", length)
                    .isEqualTo(new TokenBatcher(new int[length], 32, 8).tokensPerEpoch());
        }
        // And a shard shorter than one window plans none
        assertThat(RoundRules.plannedTokens(32, 32)).isZero();
    }

    @Test
    void shouldRefuseAnInflatedTokenCount() {
        // Given rank 1 belongs to B, who trained on the plan's 4096 tokens
        List<String> workers = List.of(A, B);

        // When B claims 10^12 tokens
        String problem = RoundRules.claimProblem(workers, B, 1, 1_000_000_000_000L, 4096);

        // Then the claim is refused, naming both counts
        assertThat(problem)
                .isEqualTo("claims 1000000000000 tokens; the plan gives rank 1 4096 per epoch");
        assertThat(RoundRules.claimProblem(workers, B, 1, 4096, 4096)).isNull();
    }

    @Test
    void shouldRefuseARankTheSenderDoesNotHold() {
        // Given rank 0 belongs to A
        List<String> workers = List.of(A, B);

        // Then B cannot claim rank 0 (a larger shard), nor a rank the job lacks; case is ignored
        assertThat(RoundRules.claimProblem(workers, B, 0, 10, 10))
                .isEqualTo("claims rank 0, which the plan gives " + A);
        assertThat(RoundRules.claimProblem(workers, B, 2, 10, 10))
                .isEqualTo("claims rank 2, which the job does not have");
        assertThat(RoundRules.claimProblem(workers, A.toLowerCase(), 0, 10, 10)).isNull();
    }

    @Test
    void shouldBoundNormsByTheLowerMedian() {
        // Given an honest shard and a 1e30 one, the lower median keeps the bound honest
        assertThat(RoundRules.normBound(List.of(2.0, 1e30), 10)).isEqualTo(20.0);
        // And with three shards, one outlier does not move it
        assertThat(RoundRules.normBound(List.of(3.0, 1e30, 2.0), 10)).isEqualTo(30.0);
        // And a lone shard is always inside its own bound
        assertThat(RoundRules.normBound(List.of(5.0), 1)).isEqualTo(5.0);
    }

    @Test
    void shouldRefuseAMultipleBelowOneOrNotFinite() {
        assertThatThrownBy(() -> RoundRules.requireMultiple(0.5))
                .hasMessageContaining("max_update_norm_multiple must be a finite number >= 1");
        assertThatThrownBy(() -> RoundRules.requireMultiple(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RoundRules.requireMultiple(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RoundRules.requireMultiple(1)).isEqualTo(1);
    }
}
