package io.emeth.contracts;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The rates and amounts an EmethCore deployment holds in its public variables ({@code
 * DEPOSIT_RATE}, {@code DECLINE_PENALTY_RATE}, {@code TIMEOUT_PENALTY_RATE}, {@code
 * FAILED_PENALTY_RATE} in parts of {@value #RATE_DENOMINATOR}; {@code MAX_SLOT_GAS_PER_NODE};
 * {@code VERIFIER_FEE} in wei), read from the chain by {@link EmethCoreReader#rates()}, with the
 * contract's arithmetic over them. The network may change a rate, so nothing assumes its value.
 */
public record ContractRates(
        BigInteger depositRate,
        BigInteger declinePenaltyRate,
        BigInteger timeoutPenaltyRate,
        BigInteger failedPenaltyRate,
        BigInteger maxSlotGasPerNode,
        BigInteger verifierFee) {
    /** The contract's rates are parts of this. */
    public static final long RATE_DENOMINATOR = 100_000;

    public ContractRates {
        Objects.requireNonNull(depositRate, "depositRate");
        Objects.requireNonNull(declinePenaltyRate, "declinePenaltyRate");
        Objects.requireNonNull(timeoutPenaltyRate, "timeoutPenaltyRate");
        Objects.requireNonNull(failedPenaltyRate, "failedPenaltyRate");
        Objects.requireNonNull(maxSlotGasPerNode, "maxSlotGasPerNode");
        Objects.requireNonNull(verifierFee, "verifierFee");
    }

    /** The deposit {@code process} pulls from the node: fee × DEPOSIT_RATE / 100000. */
    public BigInteger deposit(BigInteger fee) {
        return rate(fee, depositRate);
    }

    /** What {@code decline} keeps of the deposit: fee × DECLINE_PENALTY_RATE / 100000. */
    public BigInteger declinePenalty(BigInteger fee) {
        return rate(fee, declinePenaltyRate);
    }

    /** What {@code timeout} keeps of the deposit: fee × TIMEOUT_PENALTY_RATE / 100000. */
    public BigInteger timeoutPenalty(BigInteger fee) {
        return rate(fee, timeoutPenaltyRate);
    }

    /** What {@code rejectResult} keeps: fee × FAILED_PENALTY_RATE / 100000 + VERIFIER_FEE. */
    public BigInteger failedPenalty(BigInteger fee) {
        return rate(fee, failedPenaltyRate).add(verifierFee);
    }

    /**
     * What a settlement with {@code penalty} returns of {@code deposit}: the rest, or nothing when
     * the penalty reaches the deposit (the contract never pays a negative amount).
     */
    public static BigInteger depositBack(BigInteger deposit, BigInteger penalty) {
        return penalty.compareTo(deposit) < 0 ? deposit.subtract(penalty) : BigInteger.ZERO;
    }

    /** True when {@code verify} could pay the verifier its fee out of {@code fee}. */
    public boolean verifiable(BigInteger fee) {
        return fee.compareTo(verifierFee) >= 0;
    }

    private static BigInteger rate(BigInteger amount, BigInteger rate) {
        if (amount == null || amount.signum() < 0) {
            throw new IllegalArgumentException("fee is negative or null: " + amount);
        }
        return amount.multiply(rate).divide(BigInteger.valueOf(RATE_DENOMINATOR));
    }
}
