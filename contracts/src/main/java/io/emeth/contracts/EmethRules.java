package io.emeth.contracts;

import java.math.BigInteger;

/**
 * The arithmetic of EmethCore that is part of its interface rather than of a deployment's settings:
 * EMT's 18 decimals, {@code getEstimatedGas}, the 24-hour reward slot and a node's share of a
 * slot's reward. The rates a deployment holds (deposit, penalties, VERIFIER_FEE, the gas cap) are
 * read from the chain into {@link ContractRates}, never assumed here.
 *
 * <p>Every function rejects negative input with a message naming the argument.
 */
public final class EmethRules {
    /** One EMT in wei. */
    public static final BigInteger EMT = BigInteger.TEN.pow(18);

    /** A reward slot is a day: {@code currentSlot() = block.timestamp / 86400}. */
    public static final long SLOT_INTERVAL_SECONDS = 24 * 60 * 60;

    /** The program complexity the original master used for GPT training (program 0). */
    public static final long GPT_COMPLEXITY = 5_822;

    private EmethRules() {}

    /** {@code whole} EMT in wei. */
    public static BigInteger emt(long whole) {
        return BigInteger.valueOf(whole).multiply(EMT);
    }

    /** {@code getEstimatedGas}: data set size in MB × complexity / 1000. */
    public static BigInteger estimatedGas(long datasetSizeMb, long complexity) {
        nonNegative(datasetSizeMb, "datasetSizeMb");
        nonNegative(complexity, "complexity");
        return BigInteger.valueOf(datasetSizeMb)
                .multiply(BigInteger.valueOf(complexity))
                .divide(BigInteger.valueOf(1000));
    }

    /** The reward slot a block timestamp falls in: its day number. */
    public static long slotAt(long timestamp) {
        nonNegative(timestamp, "timestamp");
        return timestamp / SLOT_INTERVAL_SECONDS;
    }

    /** A node's share of a closed slot: nodeGas × totalReward / totalGas (0 for an empty slot). */
    public static BigInteger rewardShare(
            BigInteger nodeGas, BigInteger totalGas, BigInteger totalReward) {
        nonNegative(nodeGas, "nodeGas");
        nonNegative(totalGas, "totalGas");
        nonNegative(totalReward, "totalReward");
        if (nodeGas.compareTo(totalGas) > 0) {
            throw new IllegalArgumentException(
                    "nodeGas " + nodeGas + " exceeds the slot's totalGas " + totalGas);
        }
        if (totalGas.signum() == 0) {
            return BigInteger.ZERO;
        }
        return nodeGas.multiply(totalReward).divide(totalGas);
    }

    /** As {@link #rewardShare(BigInteger, BigInteger, BigInteger)}, for small gas amounts. */
    public static BigInteger rewardShare(long nodeGas, long totalGas, BigInteger totalReward) {
        return rewardShare(BigInteger.valueOf(nodeGas), BigInteger.valueOf(totalGas), totalReward);
    }

    private static void nonNegative(BigInteger value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (value.signum() < 0) {
            throw new IllegalArgumentException(name + " is negative: " + value);
        }
    }

    private static void nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " is negative: " + value);
        }
    }
}
