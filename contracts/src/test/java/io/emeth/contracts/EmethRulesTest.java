package io.emeth.contracts;

import static io.emeth.contracts.EmethRules.emt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class EmethRulesTest {
    /** The rates the network's deployment holds today (as a test input, never assumed). */
    static final ContractRates NETWORK =
            new ContractRates(
                    BigInteger.valueOf(100_000),
                    BigInteger.valueOf(10_000),
                    BigInteger.valueOf(10_000),
                    BigInteger.valueOf(100_000),
                    BigInteger.valueOf(9_000),
                    emt(10));

    @Test
    void shouldTakeDepositAndPenaltiesAtTheContractsRates() {
        BigInteger fee = emt(20);
        assertThat(NETWORK.deposit(fee)).isEqualTo(fee);
        assertThat(NETWORK.declinePenalty(fee)).isEqualTo(emt(2));
        assertThat(NETWORK.timeoutPenalty(fee)).isEqualTo(emt(2));
        // a failed result costs the whole fee plus the verifier's fee: more than the deposit
        assertThat(NETWORK.failedPenalty(fee)).isEqualTo(emt(30));
        assertThat(ContractRates.depositBack(NETWORK.deposit(fee), NETWORK.failedPenalty(fee)))
                .isZero();
        assertThat(ContractRates.depositBack(emt(20), emt(2))).isEqualTo(emt(18));
    }

    @Test
    void shouldFloorRatesLikeSolidity() {
        assertThat(NETWORK.declinePenalty(BigInteger.valueOf(19))).isEqualTo(BigInteger.ONE);
    }

    @Test
    void shouldNotVerifyAFeeBelowTheVerifierFee() {
        assertThat(NETWORK.verifiable(emt(10))).isTrue();
        assertThat(NETWORK.verifiable(emt(10).subtract(BigInteger.ONE))).isFalse();
    }

    @Test
    void shouldEstimateGasLikeTheContract() {
        assertThat(EmethRules.estimatedGas(1, EmethRules.GPT_COMPLEXITY)).isEqualTo(5);
        assertThat(EmethRules.estimatedGas(1000, EmethRules.GPT_COMPLEXITY)).isEqualTo(5822);
        assertThat(EmethRules.estimatedGas(0, 5822)).isZero();
        // no overflow: BigInteger arithmetic like uint256
        assertThat(EmethRules.estimatedGas(Long.MAX_VALUE, Long.MAX_VALUE))
                .isEqualTo(
                        BigInteger.valueOf(Long.MAX_VALUE).pow(2).divide(BigInteger.valueOf(1000)));
    }

    @Test
    void shouldNumberSlotsByDay() {
        assertThat(EmethRules.slotAt(0)).isZero();
        assertThat(EmethRules.slotAt(86_399)).isZero();
        assertThat(EmethRules.slotAt(86_400)).isEqualTo(1);
        assertThat(EmethRules.slotAt(1_765_000_000L)).isEqualTo(20_428);
    }

    @Test
    void shouldShareSlotRewardByGas() {
        assertThat(EmethRules.rewardShare(3000, 12_000, emt(288_000))).isEqualTo(emt(72_000));
        assertThat(EmethRules.rewardShare(1, 3, BigInteger.TEN)).isEqualTo(BigInteger.valueOf(3));
        assertThat(EmethRules.rewardShare(0, 0, emt(1))).isZero();
        assertThatThrownBy(() -> EmethRules.rewardShare(2, 1, emt(1)))
                .hasMessage("nodeGas 2 exceeds the slot's totalGas 1");
    }

    @Test
    void shouldRejectNegativeInputNamingIt() {
        assertThatThrownBy(() -> NETWORK.deposit(BigInteger.valueOf(-1)))
                .hasMessageContaining("fee is negative");
        assertThatThrownBy(() -> EmethRules.estimatedGas(-5, 1))
                .hasMessage("datasetSizeMb is negative: -5");
        assertThatThrownBy(() -> EmethRules.slotAt(-1)).hasMessage("timestamp is negative: -1");
    }
}
