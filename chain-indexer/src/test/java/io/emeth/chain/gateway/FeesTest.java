package io.emeth.chain.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class FeesTest {
    static BigInteger gwei(long n) {
        return BigInteger.valueOf(n).multiply(BigInteger.valueOf(1_000_000_000L));
    }

    @Test
    void shouldLeaveRoomForTheBaseFeeToDouble() {
        Fees fees = Fees.initial(gwei(10), gwei(2));
        assertThat(fees.maxPriorityFeePerGas()).isEqualTo(gwei(2));
        assertThat(fees.maxFeePerGas()).isEqualTo(gwei(22));
        assertThat(Fees.initial(gwei(10), null).maxPriorityFeePerGas()).isEqualTo(Fees.DEFAULT_TIP);
    }

    @Test
    void shouldRaiseBothFeesByAtLeastThePercent() {
        Fees old = new Fees(gwei(100), gwei(10));
        Fees bumped = old.bumped(25, Fees.initial(gwei(1), gwei(1)));
        assertThat(bumped.maxFeePerGas()).isEqualTo(gwei(125));
        assertThat(bumped.maxPriorityFeePerGas())
                .isEqualTo(gwei(12).add(gwei(1).divide(BigInteger.TWO)));
    }

    @Test
    void shouldFollowTheMarketWhenItRoseMoreThanTheBump() {
        Fees old = new Fees(gwei(10), gwei(1));
        Fees bumped = old.bumped(10, Fees.initial(gwei(50), gwei(3)));
        assertThat(bumped.maxFeePerGas()).isEqualTo(gwei(103));
        assertThat(bumped.maxPriorityFeePerGas()).isEqualTo(gwei(3));
    }

    @Test
    void shouldGrowEvenTinyFees() {
        Fees bumped =
                new Fees(BigInteger.ONE, BigInteger.ONE)
                        .bumped(10, new Fees(BigInteger.ONE, BigInteger.ONE));
        assertThat(bumped.maxFeePerGas()).isEqualTo(BigInteger.TWO);
        assertThat(bumped.maxPriorityFeePerGas()).isEqualTo(BigInteger.TWO);
    }

    @Test
    void shouldRejectAMaxFeeBelowTheTip() {
        assertThatThrownBy(() -> new Fees(BigInteger.ONE, BigInteger.TEN))
                .hasMessageContaining("below the priority fee");
    }
}
