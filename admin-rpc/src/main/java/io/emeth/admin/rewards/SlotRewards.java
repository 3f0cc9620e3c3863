package io.emeth.admin.rewards;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which reward slots to withdraw, as the original {@code withdraw} decided: walk the node's slots
 * ({@code nodeSlots(account, i)}) from the stored index, skip the still open current slot, and take
 * each closed slot with gas that is not withdrawn yet, at {@code totalReward × nodeGas / totalGas}.
 *
 * <p>Unlike the original, the stored index only moves past slots already withdrawn on chain, so a
 * withdrawal whose transaction failed is asked for again on the next run (the gateway ignores a
 * repeat of one that is still pending: same command id).
 */
public final class SlotRewards {
    private SlotRewards() {}

    /** A slot of the node as the contract reports it. */
    public record SlotState(
            long index,
            long slot,
            BigInteger totalGas,
            BigInteger totalReward,
            BigInteger nodeGas,
            boolean withdrawn) {
        public SlotState {
            Objects.requireNonNull(totalGas, "totalGas");
            Objects.requireNonNull(totalReward, "totalReward");
            Objects.requireNonNull(nodeGas, "nodeGas");
        }
    }

    /** A closed slot to withdraw and the reward the contract will mint for it. */
    public record Withdrawal(
            long slot, BigInteger reward, BigInteger nodeGas, BigInteger totalGas) {}

    /**
     * The withdrawals and the index to store.
     *
     * @param nextIndex the first index not yet withdrawn on chain: where the next run starts
     */
    public record Plan(List<Withdrawal> withdrawals, long nextIndex) {
        public Plan {
            withdrawals = List.copyOf(withdrawals);
        }

        /** The sum of the rewards, in wei. */
        public BigInteger total() {
            return withdrawals.stream()
                    .map(Withdrawal::reward)
                    .reduce(BigInteger.ZERO, BigInteger::add);
        }
    }

    /**
     * Plans the withdrawals.
     *
     * @param startIndex the stored index: slots before it are done
     * @param slots the node's slots from {@code startIndex} on, in index order
     * @param currentSlot the contract's current (open) slot
     */
    public static Plan plan(long startIndex, List<SlotState> slots, long currentSlot) {
        List<Withdrawal> withdrawals = new ArrayList<>();
        long nextIndex = startIndex;
        boolean prefixDone = true;
        for (SlotState s : slots) {
            if (s.index() < startIndex) {
                continue;
            }
            boolean open = s.slot() >= currentSlot;
            boolean empty = s.nodeGas().signum() == 0 || s.totalGas().signum() == 0;
            if (!open && !s.withdrawn() && !empty) {
                BigInteger reward = s.totalReward().multiply(s.nodeGas()).divide(s.totalGas());
                withdrawals.add(new Withdrawal(s.slot(), reward, s.nodeGas(), s.totalGas()));
            }
            // the index may pass a slot only once nothing is left to do for it
            prefixDone = prefixDone && !open && (s.withdrawn() || empty);
            if (prefixDone) {
                nextIndex = s.index() + 1;
            }
        }
        return new Plan(withdrawals, nextIndex);
    }
}
