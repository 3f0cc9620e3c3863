package io.emeth.chain.gateway;

import java.math.BigInteger;
import java.util.Objects;

/**
 * EIP-1559 fees of a transaction, and the rules for a first send and a replacement. Pure.
 *
 * @param maxFeePerGas the most the sender pays per gas (base fee + tip)
 * @param maxPriorityFeePerGas the tip per gas
 */
record Fees(BigInteger maxFeePerGas, BigInteger maxPriorityFeePerGas) {
    /** Tip used when the node cannot suggest one. */
    static final BigInteger DEFAULT_TIP = BigInteger.valueOf(1_000_000_000L);

    Fees {
        Objects.requireNonNull(maxFeePerGas, "maxFeePerGas");
        Objects.requireNonNull(maxPriorityFeePerGas, "maxPriorityFeePerGas");
        if (maxPriorityFeePerGas.signum() < 0 || maxFeePerGas.compareTo(maxPriorityFeePerGas) < 0) {
            throw new IllegalArgumentException(
                    "max fee "
                            + maxFeePerGas
                            + " is below the priority fee "
                            + maxPriorityFeePerGas);
        }
    }

    /**
     * Fees for a first send: the suggested tip (or {@link #DEFAULT_TIP}) and room for the base fee
     * to double before the transaction stops being includable.
     */
    static Fees initial(BigInteger baseFee, BigInteger suggestedTip) {
        BigInteger tip =
                suggestedTip == null || suggestedTip.signum() <= 0 ? DEFAULT_TIP : suggestedTip;
        return new Fees(baseFee.shiftLeft(1).add(tip), tip);
    }

    /**
     * Fees that replace {@code this} in a node's pool: both raised by at least {@code percent}
     * (nodes refuse less), and never below what a first send would use now.
     */
    Fees bumped(int percent, Fees current) {
        BigInteger tip = max(raise(maxPriorityFeePerGas, percent), current.maxPriorityFeePerGas);
        BigInteger fee = max(raise(maxFeePerGas, percent), current.maxFeePerGas);
        return new Fees(max(fee, tip), tip);
    }

    private static BigInteger raise(BigInteger value, int percent) {
        // rounded up so that a 1 wei fee still grows
        BigInteger scaled = value.multiply(BigInteger.valueOf(100L + percent));
        BigInteger[] qr = scaled.divideAndRemainder(BigInteger.valueOf(100));
        BigInteger raised = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
        return raised.max(value.add(BigInteger.ONE));
    }

    private static BigInteger max(BigInteger a, BigInteger b) {
        return a.max(b);
    }
}
