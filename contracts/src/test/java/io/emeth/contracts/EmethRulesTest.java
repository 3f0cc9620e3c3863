package io.emeth.contracts;

import static io.emeth.contracts.EmethRules.emt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class EmethRulesTest {

    @Test
    void shouldTakeDepositEqualToFeeAndTenPercentPenalties() {
        BigInteger fee = emt(20);
        assertThat(EmethRules.deposit(fee)).isEqualTo(fee);
        assertThat(EmethRules.declinePenalty(fee)).isEqualTo(emt(2));
        assertThat(EmethRules.timeoutPenalty(fee)).isEqualTo(emt(2));
    }

    @Test
    void shouldFloorRatesToWei() {
        // 10 % of 19 wei is 1.9 wei: Solidity floors to 1
        assertThat(EmethRules.declinePenalty(BigInteger.valueOf(19))).isEqualTo(BigInteger.ONE);
    }

    @Test
    void shouldCapFailedSlashAtTheDeposit() {
        // fee + VERIFIER_FEE exceeds the deposit (= fee): the whole deposit goes
        assertThat(EmethRules.failedSlash(emt(20))).isEqualTo(emt(20));
    }

    @Test
    void shouldEstimateGasAsTheOriginalNodeDid() {
        assertThat(EmethRules.estimatedGas(1, EmethRules.GPT_COMPLEXITY)).isEqualTo(5);
        assertThat(EmethRules.estimatedGas(1000, EmethRules.GPT_COMPLEXITY)).isEqualTo(5822);
        assertThat(EmethRules.estimatedGas(0, 5822)).isZero();
        // no overflow for the largest inputs
        assertThat(EmethRules.estimatedGas(Long.MAX_VALUE, Long.MAX_VALUE))
                .isEqualTo(
                        BigInteger.valueOf(Long.MAX_VALUE).pow(2).divide(BigInteger.valueOf(1000)));
    }

    @Test
    void shouldLowerSlotRewardEverySlotUntilZero() {
        BigInteger decrement = new BigInteger("39452054794520547945");
        assertThat(EmethRules.SLOT_REWARD_DECREMENT).isEqualTo(decrement);
        assertThat(EmethRules.slotReward(0)).isEqualTo(emt(288_000));
        assertThat(EmethRules.slotReward(1)).isEqualTo(emt(288_000).subtract(decrement));
        // 7300 slots of a floored decrement leave 1500 wei; one more slot is zero, never negative
        assertThat(EmethRules.slotReward(7300)).isEqualTo(BigInteger.valueOf(1500));
        assertThat(EmethRules.slotReward(7301)).isZero();
        assertThat(EmethRules.slotReward(Long.MAX_VALUE)).isZero();
    }

    @Test
    void shouldCountSlotsFromStartTime() {
        assertThat(EmethRules.slotAt(1000, 1000)).isZero();
        assertThat(EmethRules.slotAt(1000, 1000 + 86_399)).isZero();
        assertThat(EmethRules.slotAt(1000, 1000 + 86_400)).isEqualTo(1);
        assertThatThrownBy(() -> EmethRules.slotAt(1000, 999))
                .hasMessageContaining("timestamp 999 is before the contract's startTime 1000");
    }

    @Test
    void shouldCapCreditedGasPerNodeAndSlot() {
        assertThat(EmethRules.creditedGas(0, 1234)).isEqualTo(1234);
        assertThat(EmethRules.creditedGas(0, 10_000)).isEqualTo(9000);
        assertThat(EmethRules.creditedGas(8000, 5000)).isEqualTo(1000);
        assertThat(EmethRules.creditedGas(9000, 1)).isZero();
        assertThat(EmethRules.creditedGas(20_000, 1)).isZero();
    }

    @Test
    void shouldShareSlotRewardByGas() {
        assertThat(EmethRules.rewardShare(3000, 12_000, emt(288_000))).isEqualTo(emt(72_000));
        assertThat(EmethRules.rewardShare(1, 3, BigInteger.TEN)).isEqualTo(BigInteger.valueOf(3));
        assertThat(EmethRules.rewardShare(0, 0, emt(1))).isZero();
        assertThatThrownBy(() -> EmethRules.rewardShare(2, 1, emt(1)))
                .hasMessageContaining("nodeGas 2 exceeds the slot's totalGas 1");
    }

    @Test
    void shouldRejectNegativeOrMissingInputNamingIt() {
        assertThatThrownBy(() -> EmethRules.deposit(BigInteger.valueOf(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fee is negative: -1");
        assertThatThrownBy(() -> EmethRules.deposit(null)).hasMessage("fee is null");
        assertThatThrownBy(() -> EmethRules.estimatedGas(-5, 1))
                .hasMessage("datasetSizeMb is negative: -5");
        assertThatThrownBy(() -> EmethRules.slotReward(-1)).hasMessage("slot is negative: -1");
        assertThatThrownBy(() -> EmethRules.creditedGas(0, -1)).hasMessage("gas is negative: -1");
    }
}
