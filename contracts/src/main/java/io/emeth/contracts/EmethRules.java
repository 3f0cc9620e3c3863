package io.emeth.contracts;

import java.math.BigInteger;

/**
 * The arithmetic of EmethCore (deposits, penalties, estimated gas, reward slots) in plain Java.
 *
 * <p>It lets the master estimate a job's gas and the operator CLI preview slot rewards without a
 * chain call, and the lifecycle IT checks every number here against the deployed contract, so the
 * two cannot drift apart. Amounts are in wei (EMT has 18 decimals); rates are parts of {@link
 * #RATE_DENOMINATOR}. Every function rejects negative input with a message naming the argument.
 */
public final class EmethRules {
    /** One EMT in wei. */
    public static final BigInteger EMT = BigInteger.TEN.pow(18);

    public static final long RATE_DENOMINATOR = 100_000;
    public static final long DEPOSIT_RATE = 100_000;
    public static final long DECLINE_PENALTY_RATE = 10_000;
    public static final long TIMEOUT_PENALTY_RATE = 10_000;
    public static final long FAILED_PENALTY_RATE = 100_000;

    public static final BigInteger VERIFIER_FEE = emt(10);
    public static final long MAX_SLOT_GAS_PER_NODE = 9_000;
    public static final long SLOT_INTERVAL_SECONDS = 24 * 60 * 60;
    public static final BigInteger BASE_SLOT_REWARD = emt(12_000L * 24);

    /** 600 × 24 / 365 EMT, floored to wei exactly as Solidity's integer division does. */
    public static final BigInteger SLOT_REWARD_DECREMENT =
            emt(600L * 24).divide(BigInteger.valueOf(365));

    /** The program complexity the original master used for GPT training (program 0). */
    public static final long GPT_COMPLEXITY = 5_822;

    private EmethRules() {}

    /** {@code whole} EMT in wei. */
    public static BigInteger emt(long whole) {
        return BigInteger.valueOf(whole).multiply(EMT);
    }

    /** The deposit {@code process} pulls from the node: fee × DEPOSIT_RATE / 100000. */
    public static BigInteger deposit(BigInteger fee) {
        return rate(nonNegative(fee, "fee"), DEPOSIT_RATE);
    }

    /** The penalty kept on {@code decline}. */
    public static BigInteger declinePenalty(BigInteger fee) {
        return rate(nonNegative(fee, "fee"), DECLINE_PENALTY_RATE);
    }

    /** The penalty kept on {@code timeout}. */
    public static BigInteger timeoutPenalty(BigInteger fee) {
        return rate(nonNegative(fee, "fee"), TIMEOUT_PENALTY_RATE);
    }

    /**
     * What {@code failResult} slashes from the deposit: fee × FAILED_PENALTY_RATE / 100000 plus
     * VERIFIER_FEE, at most the deposit.
     */
    public static BigInteger failedSlash(BigInteger fee) {
        BigInteger slash = rate(nonNegative(fee, "fee"), FAILED_PENALTY_RATE).add(VERIFIER_FEE);
        return slash.min(deposit(fee));
    }

    /** {@code getEstimatedGas}: data set size in MB × complexity / 1000. */
    public static BigInteger estimatedGas(long datasetSizeMb, long complexity) {
        nonNegative(datasetSizeMb, "datasetSizeMb");
        nonNegative(complexity, "complexity");
        return BigInteger.valueOf(datasetSizeMb)
                .multiply(BigInteger.valueOf(complexity))
                .divide(BigInteger.valueOf(1000));
    }

    /** The reward slot a block timestamp falls in, slot 0 starting at {@code startTime}. */
    public static long slotAt(long startTime, long timestamp) {
        nonNegative(startTime, "startTime");
        if (timestamp < startTime) {
            throw new IllegalArgumentException(
                    "timestamp " + timestamp + " is before the contract's startTime " + startTime);
        }
        return (timestamp - startTime) / SLOT_INTERVAL_SECONDS;
    }

    /** EMT (wei) minted for a slot: the base less one decrement per slot since 0, at least 0. */
    public static BigInteger slotReward(long slot) {
        nonNegative(slot, "slot");
        BigInteger decrement = SLOT_REWARD_DECREMENT.multiply(BigInteger.valueOf(slot));
        return BASE_SLOT_REWARD.subtract(decrement).max(BigInteger.ZERO);
    }

    /** Gas {@code verify} credits a node that already holds {@code held} in the current slot. */
    public static long creditedGas(long held, long gas) {
        nonNegative(held, "held");
        nonNegative(gas, "gas");
        return Math.min(gas, Math.max(0, MAX_SLOT_GAS_PER_NODE - held));
    }

    /** A node's share of a closed slot: nodeGas × totalReward / totalGas (0 for an empty slot). */
    public static BigInteger rewardShare(long nodeGas, long totalGas, BigInteger totalReward) {
        nonNegative(nodeGas, "nodeGas");
        nonNegative(totalGas, "totalGas");
        nonNegative(totalReward, "totalReward");
        if (nodeGas > totalGas) {
            throw new IllegalArgumentException(
                    "nodeGas " + nodeGas + " exceeds the slot's totalGas " + totalGas);
        }
        if (totalGas == 0) {
            return BigInteger.ZERO;
        }
        return BigInteger.valueOf(nodeGas)
                .multiply(totalReward)
                .divide(BigInteger.valueOf(totalGas));
    }

    private static BigInteger rate(BigInteger amount, long rate) {
        return amount.multiply(BigInteger.valueOf(rate))
                .divide(BigInteger.valueOf(RATE_DENOMINATOR));
    }

    private static BigInteger nonNegative(BigInteger value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (value.signum() < 0) {
            throw new IllegalArgumentException(name + " is negative: " + value);
        }
        return value;
    }

    private static void nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " is negative: " + value);
        }
    }
}
