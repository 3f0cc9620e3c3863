package io.emeth.contracts.chain;

import static io.emeth.contracts.chain.ContractLifecycleIT.big;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethCore.RewardEventResponse;
import java.math.BigInteger;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Reward slots on a real anvil: gas credited on verify (capped per node), a slot closed by moving
 * the chain clock past 24 hours, and each node minting its share once.
 */
class ContractRewardSlotIT {
    private static ChainFixture chain;

    @BeforeAll
    static void startChain() throws Exception {
        chain = ChainFixture.start();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void shouldMintEachNodesShareOfAClosedSlotOnce() throws Exception {
        // Given a fresh slot after the first (so the reward has already decreased once)
        chain.advance(EmethRules.SLOT_INTERVAL_SECONDS + 1);
        long slot = chain.currentSlot();
        assertThat(slot).isPositive();

        // When node B verifies 10,000 gas (capped to 9,000), then 500 more (nothing left),
        // and node C verifies 3,000 gas
        TransactionReceipt capped = verify(chain.nodeB, 10_000);
        assertReward(capped, chain.nodeB, slot, 9_000);
        TransactionReceipt overCap = verify(chain.nodeB, 500);
        assertThat(EmethCore.getRewardEvents(overCap)).isEmpty();
        assertReward(verify(chain.nodeC, 3_000), chain.nodeC, slot, 3_000);

        // Then the slot holds 12,000 gas and this slot's reward
        EmethCore view = chain.core(chain.requester);
        BigInteger totalReward = EmethRules.slotReward(slot);
        assertThat(totalReward).isEqualTo(view.slotReward(big(slot)).send());
        var slotState = view.slots(big(slot)).send();
        assertThat(slotState.component1()).isEqualTo(big(12_000));
        assertThat(slotState.component2()).isEqualTo(totalReward);
        assertThat(view.slotBalances(big(slot), chain.nodeB.getAddress()).send())
                .isEqualTo(big(9_000));
        String nodeB = chain.nodeB.getAddress();
        BigInteger count = view.nodeSlotCount(nodeB).send();
        assertThat(count).isEqualTo(BigInteger.ONE);
        assertThat(view.nodeSlots(nodeB, count.subtract(BigInteger.ONE)).send())
                .isEqualTo(big(slot));

        // And the open slot cannot be withdrawn yet
        chain.assertReverts(
                () -> chain.core(chain.nodeB).withdrawSlotReward(big(slot)).send(),
                "slot not closed");

        // When 24 hours pass, the slot closes and both nodes withdraw
        chain.advance(EmethRules.SLOT_INTERVAL_SECONDS);
        BigInteger shareB = EmethRules.rewardShare(9_000, 12_000, totalReward);
        BigInteger shareC = EmethRules.rewardShare(3_000, 12_000, totalReward);
        var before = chain.balances();
        TransactionReceipt withdrawn = chain.core(chain.nodeB).withdrawSlotReward(big(slot)).send();
        chain.core(chain.nodeC).withdrawSlotReward(big(slot)).send();

        // Then each got its share minted (the contract's own balance is untouched)
        chain.assertMoved(before, Map.of(nodeB, shareB, chain.nodeC.getAddress(), shareC));
        // floored shares: at most one wei per node below the slot's reward
        assertThat(shareB.add(shareC)).isBetween(totalReward.subtract(big(2)), totalReward);
        assertThat(EmethCore.getSlotRewardWithdrawnEvents(withdrawn))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.nodeAddress).isEqualToIgnoringCase(nodeB);
                            assertThat(e.slot).isEqualTo(big(slot));
                            assertThat(e.amount).isEqualTo(shareB);
                        });
        assertThat(view.slotRewardWithdrawn(big(slot), nodeB).send()).isTrue();

        // And a second withdrawal, or one without gas in the slot, is refused
        chain.assertReverts(
                () -> chain.core(chain.nodeB).withdrawSlotReward(big(slot)).send(),
                "slot reward already withdrawn");
        chain.assertReverts(
                () -> chain.core(chain.stranger).withdrawSlotReward(big(slot)).send(),
                "no gas in slot");
    }

    @Test
    void shouldRefuseWithdrawalOfTheOpenSlot() throws Exception {
        long slot = chain.currentSlot();
        chain.assertReverts(
                () -> chain.core(chain.node).withdrawSlotReward(big(slot)).send(),
                "slot not closed");
        chain.assertReverts(
                () -> chain.core(chain.node).withdrawSlotReward(big(slot + 5)).send(),
                "slot not closed");
    }

    private static TransactionReceipt verify(Credentials node, long gas) throws Exception {
        String jobId = chain.submittedJob(node);
        return chain.core(chain.verifier).verify(JobIds.toBytes(jobId), big(gas)).send();
    }

    private static void assertReward(
            TransactionReceipt receipt, Credentials node, long slot, long gas) {
        RewardEventResponse reward = EmethCore.getRewardEvents(receipt).get(0);
        assertThat(reward.nodeAddress).isEqualToIgnoringCase(node.getAddress());
        assertThat(reward.slot).isEqualTo(big(slot));
        assertThat(reward.gas).isEqualTo(big(gas));
    }
}
