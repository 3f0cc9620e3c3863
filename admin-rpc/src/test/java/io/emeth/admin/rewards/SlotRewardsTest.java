package io.emeth.admin.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.admin.rewards.SlotRewards.Plan;
import io.emeth.admin.rewards.SlotRewards.SlotState;
import io.emeth.contracts.EmethRules;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which slots withdraw takes and where it resumes. */
class SlotRewardsTest {
    private static final BigInteger REWARD = EmethRules.emt(288_000);

    @Test
    void shouldWithdrawEveryClosedSlotWithGasAtTheNodesShare() {
        // Given two closed slots with gas and the open current slot
        List<SlotState> slots =
                List.of(
                        slot(0, 3, 12_000, 9_000, false),
                        slot(1, 5, 100, 100, false),
                        slot(2, 7, 10, 10, false));

        // When
        Plan plan = SlotRewards.plan(0, slots, 7);

        // Then both closed slots are withdrawn at totalReward × nodeGas / totalGas
        assertThat(plan.withdrawals())
                .extracting(SlotRewards.Withdrawal::slot)
                .containsExactly(3L, 5L);
        assertThat(plan.withdrawals().get(0).reward())
                .isEqualTo(EmethRules.rewardShare(9_000, 12_000, REWARD));
        assertThat(plan.withdrawals().get(1).reward()).isEqualTo(REWARD);
        // and the index stays where nothing is withdrawn on chain yet
        assertThat(plan.nextIndex()).isZero();
    }

    @Test
    void shouldMoveTheIndexPastSlotsAlreadyWithdrawnOnly() {
        List<SlotState> slots =
                List.of(
                        slot(4, 10, 100, 50, true),
                        slot(5, 11, 100, 50, true),
                        slot(6, 12, 100, 50, false),
                        slot(7, 13, 100, 50, true));
        Plan plan = SlotRewards.plan(4, slots, 20);
        assertThat(plan.withdrawals())
                .extracting(SlotRewards.Withdrawal::slot)
                .containsExactly(12L);
        assertThat(plan.nextIndex()).isEqualTo(6);
    }

    @Test
    void shouldNeverTakeTheOpenSlot() {
        Plan plan = SlotRewards.plan(0, List.of(slot(0, 9, 100, 100, false)), 9);
        assertThat(plan.withdrawals()).isEmpty();
        assertThat(plan.nextIndex()).isZero();
    }

    @Test
    void shouldSkipSlotsWithoutGasAndPassThem() {
        Plan plan =
                SlotRewards.plan(0, List.of(slot(0, 1, 0, 0, false), slot(1, 2, 100, 0, false)), 5);
        assertThat(plan.withdrawals()).isEmpty();
        assertThat(plan.nextIndex()).isEqualTo(2);
    }

    @Test
    void shouldHandleRewardsBeyond64Bits() {
        SlotState huge =
                new SlotState(
                        0,
                        1,
                        BigInteger.TWO.pow(100),
                        BigInteger.TWO.pow(200),
                        BigInteger.TWO.pow(99),
                        false);
        assertThat(SlotRewards.plan(0, List.of(huge), 2).total())
                .isEqualTo(BigInteger.TWO.pow(199));
    }

    private static SlotState slot(long index, long slot, long total, long node, boolean withdrawn) {
        return new SlotState(
                index,
                slot,
                BigInteger.valueOf(total),
                REWARD,
                BigInteger.valueOf(node),
                withdrawn);
    }
}
