package io.emeth.contracts.chain;

import static io.emeth.contracts.chain.ContractLifecycleIT.big;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.contracts.EmethCoreReader;
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
        // Given a fresh slot
        chain.advanceToNextSlot();
        long slot = chain.currentSlot();
        String nodeB = chain.nodeB.getAddress();

        // When node B verifies 10,000 gas (capped to 9,000), then 500 more (nothing left),
        // and node C verifies 3,000 gas: Reward always announces the job's own gas
        assertReward(verify(chain.nodeB, 10_000), chain.nodeB, slot, 10_000);
        assertReward(verify(chain.nodeB, 500), chain.nodeB, slot, 500);
        assertReward(verify(chain.nodeC, 3_000), chain.nodeC, slot, 3_000);

        // Then the slot holds 12,000 credited gas and this slot's reward
        EmethCore view = chain.core(chain.requester);
        EmethCoreReader.Slot totals = chain.reader.slot(slot);
        BigInteger totalReward = view.currentSlotReward().send();
        assertThat(totals.totalGas()).isEqualTo(big(12_000));
        assertThat(totals.totalReward()).isEqualTo(totalReward);
        assertThat(chain.reader.slotGas(slot, nodeB)).isEqualTo(big(9_000));
        assertThat(chain.reader.slotBalance(slot, nodeB)).isEqualTo(big(9_000));
        assertThat(chain.reader.nodeSlotCount(nodeB)).isEqualTo(1);
        assertThat(chain.reader.nodeSlot(nodeB, 0)).isEqualTo(slot);
        assertThat(view.nodeSlotUnique(nodeB, big(slot)).send()).isTrue();

        // And the open slot cannot be withdrawn yet
        chain.assertReverts(
                () -> chain.core(chain.nodeB).withdrawSlotReward(big(slot)).send(),
                "slot not closed");

        // When the day ends, the slot closes and both nodes withdraw
        chain.advanceToNextSlot();
        BigInteger shareB = EmethRules.rewardShare(9_000, 12_000, totalReward);
        BigInteger shareC = EmethRules.rewardShare(3_000, 12_000, totalReward);
        var before = chain.balances();
        chain.core(chain.nodeB).withdrawSlotReward(big(slot)).send();
        chain.core(chain.nodeC).withdrawSlotReward(big(slot)).send();

        // Then each got its share minted (the contract's own balance is untouched)
        chain.assertMoved(before, Map.of(nodeB, shareB, chain.nodeC.getAddress(), shareC));
        // floored shares: at most one wei per node below the slot's reward
        assertThat(shareB.add(shareC)).isBetween(totalReward.subtract(big(2)), totalReward);
        // And "withdrawn" reads as a zero balance, the earned gas stays
        assertThat(chain.reader.slotWithdrawn(slot, nodeB)).isTrue();
        assertThat(chain.reader.slotGas(slot, nodeB)).isEqualTo(big(9_000));

        // And a second withdrawal, or one without gas in the slot, is refused
        chain.assertReverts(
                () -> chain.core(chain.nodeB).withdrawSlotReward(big(slot)).send(),
                "slot reward is empty");
        chain.assertReverts(
                () -> chain.core(chain.stranger).withdrawSlotReward(big(slot)).send(),
                "slot reward is empty");
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
