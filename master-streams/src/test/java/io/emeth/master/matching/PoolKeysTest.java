package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pending key keeps the layout stored keys have: the fee inverted and padded to 78 digits. */
class PoolKeysTest {
    private static final BigInteger CEILING = BigInteger.TEN.pow(78).subtract(BigInteger.ONE);

    @Test
    void shouldWriteThePendingKeyAsTheCeilingLessTheFeeForEveryFeeSize() {
        // Given fees from nothing to beyond the 78-digit ceiling, around the size of a long
        List<BigInteger> fees =
                List.of(
                        BigInteger.valueOf(-5),
                        BigInteger.ZERO,
                        BigInteger.ONE,
                        new BigInteger("20000000000000000000"),
                        BigInteger.valueOf(Long.MAX_VALUE - 1),
                        BigInteger.valueOf(Long.MAX_VALUE),
                        BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE),
                        BigInteger.TEN.pow(77).add(BigInteger.valueOf(12345)),
                        BigInteger.TWO.pow(258).subtract(BigInteger.ONE),
                        BigInteger.TWO.pow(258),
                        BigInteger.TWO.pow(259),
                        BigInteger.TWO.pow(260),
                        CEILING,
                        CEILING.add(BigInteger.ONE));
        for (BigInteger fee : fees) {
            // When the key is built; Then it is the ceiling less the clamped fee, zero-padded
            BigInteger inverted = CEILING.subtract(fee.min(CEILING).max(BigInteger.ZERO));
            String expected =
                    "pool|"
                            + "0".repeat(78 - inverted.toString().length())
                            + inverted
                            + "|"
                            + "0".repeat(19 - 13)
                            + 1_900_000_000_000L
                            + "|0xjob";
            assertThat(PoolKeys.pending("pool", fee, 1_900_000_000_000L, "0xjob"))
                    .as("fee %s", fee)
                    .isEqualTo(expected);
        }
        // and the digits of every size up to and past 127 bits, as BigInteger writes them
        java.util.Random random = new java.util.Random(3);
        for (int bits = 1; bits <= 140; bits++) {
            for (int i = 0; i < 50; i++) {
                BigInteger v = new BigInteger(bits, random).setBit(bits - 1);
                assertThat(PoolKeys.digits(v)).isEqualTo(v.toString());
            }
            BigInteger allOnes = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
            assertThat(PoolKeys.digits(allOnes)).isEqualTo(allOnes.toString());
        }
        assertThat(PoolKeys.digits(BigInteger.TEN.pow(19))).isEqualTo("1" + "0".repeat(19));
        assertThat(PoolKeys.pending("p", BigInteger.ONE, -1, "j"))
                .endsWith("|" + "0".repeat(19) + "|j");
    }
}
