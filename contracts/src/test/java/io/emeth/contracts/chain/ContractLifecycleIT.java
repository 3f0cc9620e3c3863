package io.emeth.contracts.chain;

import static io.emeth.contracts.chain.ChainFixture.DATASET;
import static io.emeth.contracts.chain.ChainFixture.FEE;
import static io.emeth.contracts.chain.ChainFixture.PARAM;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.contracts.ContractRates;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethCore.RequestEventResponse;
import io.emeth.contracts.generated.EmethCore.RewardEventResponse;
import io.emeth.contracts.generated.EmethCore.StatusEventResponse;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Drives every settlement path of EmethCore on a real anvil, checking balances after each step
 * against the network's semantics: verify keeps the deposit, rejectResult sets FAILED, cancel emits
 * only Cancel, no path emits Penalty. Amounts come from the rates the contract holds.
 */
class ContractLifecycleIT {
    private static ChainFixture chain;
    private static ContractRates rates;

    @BeforeAll
    static void startChain() throws Exception {
        chain = ChainFixture.start();
        rates = chain.rates;
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void shouldPayVerifierAndNodeAndCreditGasWhenJobIsVerified() throws Exception {
        String requester = chain.requester.getAddress();
        String node = chain.node.getAddress();
        String core = chain.deployment.coreAddress();
        String jobId = JobIds.random();
        byte[] id = JobIds.toBytes(jobId);
        long deadline = chain.now() + 3600;

        // Given a requested job: the fee moves from the requester into the contract
        var before = chain.balances();
        TransactionReceipt requested = chain.request(jobId, FEE, deadline);
        chain.assertMoved(before, Map.of(requester, FEE.negate(), core, FEE));
        RequestEventResponse request = EmethCore.getRequestEvents(requested).get(0);
        assertThat(request.owner).isEqualToIgnoringCase(requester);
        assertThat(JobIds.toHex(request.jobId)).isEqualTo(jobId);
        assertThat(request.fee).isEqualTo(FEE);
        assertThat(request.deadline).isEqualTo(BigInteger.valueOf(deadline));
        assertThat(EmethCore.getStatusEvents(requested)).isEmpty();
        EmethCoreReader.Job job = chain.reader.job(jobId);
        assertThat(job.exists()).isTrue();
        assertThat(job.jobId()).isEqualTo(jobId);
        assertThat(job.owner()).isEqualToIgnoringCase(requester);
        assertThat(job.deadline()).isEqualTo(deadline);
        assertThat(job.fee()).isEqualTo(FEE);
        assertThat(job.status()).isEqualTo(JobStatus.REQUESTED);
        assertThat(job.requestedAt()).isEqualTo(blockTime(requested));
        EmethCoreReader.Details details = chain.reader.details(jobId);
        assertThat(details.programId()).isZero();
        assertThat(details.param()).isEqualTo(PARAM);
        assertThat(details.dataset()).isEqualTo(DATASET);
        assertThat(details.result()).isEmpty();
        assertThat(chain.core(chain.requester).jobIndexes(BigInteger.ZERO).send()).hasSize(16);

        // When the node processes it: its deposit moves into the contract
        before = chain.balances();
        TransactionReceipt processed = chain.process(chain.node, jobId);
        BigInteger deposit = rates.deposit(FEE);
        chain.assertMoved(before, Map.of(node, deposit.negate(), core, deposit));
        assertStatusEvent(processed, jobId, node, JobStatus.PROCESSING);
        EmethCoreReader.Assignment assign = chain.reader.assignment(jobId);
        assertThat(assign.node()).isEqualToIgnoringCase(node);
        assertThat(assign.deposit()).isEqualTo(deposit);
        assertThat(assign.startedAt()).isEqualTo(blockTime(processed));

        // And submits the result: no money moves
        before = chain.balances();
        TransactionReceipt submitted = chain.submit(chain.node, jobId);
        chain.assertMoved(before, Map.of());
        assertStatusEvent(submitted, jobId, node, JobStatus.SUBMITTED);
        assertThat(chain.reader.details(jobId).result()).isEqualTo("model-" + jobId + ".zip");
        assertThat(chain.reader.assignment(jobId).submittedAt()).isEqualTo(blockTime(submitted));

        // And the verifier verifies it with 1234 gas
        long slot = chain.currentSlot();
        BigInteger held = chain.reader.slotGas(slot, node);
        var slotBefore = chain.reader.slot(slot);
        before = chain.balances();
        TransactionReceipt verified = chain.core(chain.verifier).verify(id, big(1234)).send();

        // Then the verifier earns VERIFIER_FEE and the node the rest of the fee; the deposit
        // stays in the contract (the node earns through slot rewards)
        BigInteger verifierFee = rates.verifierFee();
        chain.assertMoved(
                before,
                Map.of(
                        chain.verifier.getAddress(),
                        verifierFee,
                        node,
                        FEE.subtract(verifierFee),
                        core,
                        FEE.negate()));
        assertStatusEvent(verified, jobId, node, JobStatus.VERIFIED);
        assertThat(chain.status(jobId)).isEqualTo(JobStatus.VERIFIED.code());
        assertThat(chain.reader.assignment(jobId).gas()).isEqualTo(big(1234));

        // And the job's gas entered the current slot, announced by a Reward event
        BigInteger credited = big(1234).min(rates.maxSlotGasPerNode().subtract(held));
        RewardEventResponse reward = EmethCore.getRewardEvents(verified).get(0);
        assertThat(reward.nodeAddress).isEqualToIgnoringCase(node);
        assertThat(reward.slot).isEqualTo(big(slot));
        assertThat(reward.gas).isEqualTo(big(1234));
        assertThat(chain.reader.slotBalance(slot, node)).isEqualTo(held.add(credited));
        var slotAfter = chain.reader.slot(slot);
        assertThat(slotAfter.totalGas()).isEqualTo(slotBefore.totalGas().add(credited));
        assertThat(slotAfter.totalReward())
                .isEqualTo(chain.core(chain.requester).currentSlotReward().send());
    }

    @Test
    void shouldRefundFeeAndEmitOnlyCancelWhenOwnerCancelsRequestedJob() throws Exception {
        // Given a requested job
        String jobId = chain.requestJob();
        var before = chain.balances();

        // When its owner cancels it
        TransactionReceipt canceled =
                chain.core(chain.requester).cancel(JobIds.toBytes(jobId)).send();

        // Then the fee goes back and only Cancel is emitted
        chain.assertMoved(
                before,
                Map.of(
                        chain.requester.getAddress(),
                        FEE,
                        chain.deployment.coreAddress(),
                        FEE.negate()));
        assertThat(EmethCore.getCancelEvents(canceled))
                .singleElement()
                .satisfies(e -> assertThat(JobIds.toHex(e.jobId)).isEqualTo(jobId));
        assertThat(EmethCore.getStatusEvents(canceled)).isEmpty();
        assertThat(chain.status(jobId)).isEqualTo(JobStatus.CANCELED.code());

        // And a second cancel is refused
        chain.assertReverts(
                () -> chain.core(chain.requester).cancel(JobIds.toBytes(jobId)).send(),
                "job not REQUESTED");
    }

    @Test
    void shouldKeepThePenaltyAndRefundFeeWhenNodeDeclines() throws Exception {
        // Given a job the node is processing
        String jobId = chain.requestJob();
        chain.process(chain.node, jobId);
        BigInteger penalty = rates.declinePenalty(FEE);
        var before = chain.balances();

        // When the node declines it
        TransactionReceipt declined = chain.core(chain.node).decline(JobIds.toBytes(jobId)).send();

        // Then the requester gets the fee back, the node its deposit less the penalty
        BigInteger back = ContractRates.depositBack(rates.deposit(FEE), penalty);
        chain.assertMoved(
                before,
                Map.of(
                        chain.requester.getAddress(), FEE,
                        chain.node.getAddress(), back,
                        chain.deployment.coreAddress(), FEE.add(back).negate()));
        assertThat(EmethCore.getPenaltyEvents(declined)).isEmpty();
        assertStatusEvent(declined, jobId, chain.node.getAddress(), JobStatus.DECLINED);
    }

    @Test
    void shouldKeepThePenaltyAndRefundFeeWhenJobTimesOut() throws Exception {
        // Given a job processed with a deadline two minutes ahead
        String jobId = JobIds.random();
        chain.request(jobId, FEE, chain.now() + 120);
        chain.process(chain.node, jobId);
        byte[] id = JobIds.toBytes(jobId);
        var before = chain.balances();

        // When the verifier times it out (the contract checks no deadline)
        TransactionReceipt timedOut = chain.core(chain.verifier).timeout(id).send();

        // Then the requester gets the fee back, the node its deposit less the penalty
        BigInteger back = ContractRates.depositBack(rates.deposit(FEE), rates.timeoutPenalty(FEE));
        chain.assertMoved(
                before,
                Map.of(
                        chain.requester.getAddress(), FEE,
                        chain.node.getAddress(), back,
                        chain.deployment.coreAddress(), FEE.add(back).negate()));
        assertThat(EmethCore.getPenaltyEvents(timedOut)).isEmpty();
        assertStatusEvent(timedOut, jobId, chain.node.getAddress(), JobStatus.TIMEOUT);
    }

    @Test
    void shouldMarkFailedAndKeepTheDepositWhenResultIsRejected() throws Exception {
        // Given a submitted job
        String jobId = chain.submittedJob(chain.node);
        var before = chain.balances();

        // When the verifier rejects the result
        TransactionReceipt rejected =
                chain.core(chain.verifier).rejectResult(JobIds.toBytes(jobId)).send();

        // Then the status is FAILED, the requester gets the fee back and the node loses
        // fee × FAILED_PENALTY_RATE + VERIFIER_FEE of its deposit (here all of it)
        BigInteger back = ContractRates.depositBack(rates.deposit(FEE), rates.failedPenalty(FEE));
        chain.assertMoved(
                before,
                Map.of(
                        chain.requester.getAddress(), FEE,
                        chain.node.getAddress(), back,
                        chain.deployment.coreAddress(), FEE.add(back).negate()));
        assertThat(EmethCore.getPenaltyEvents(rejected)).isEmpty();
        assertThat(EmethCore.getRewardEvents(rejected)).isEmpty();
        assertStatusEvent(rejected, jobId, chain.node.getAddress(), JobStatus.FAILED);
    }

    static void assertStatusEvent(
            TransactionReceipt receipt, String jobId, String node, JobStatus status) {
        List<StatusEventResponse> events = EmethCore.getStatusEvents(receipt);
        assertThat(events).hasSize(1);
        StatusEventResponse event = events.get(0);
        assertThat(JobIds.toHex(event.jobId)).isEqualTo(jobId);
        assertThat(event.nodeAddress).isEqualToIgnoringCase(node);
        assertThat(event.status.intValue()).isEqualTo(status.code());
    }

    private static long blockTime(TransactionReceipt receipt) throws Exception {
        return chain.web3j
                .ethGetBlockByHash(receipt.getBlockHash(), false)
                .send()
                .getBlock()
                .getTimestamp()
                .longValueExact();
    }

    static BigInteger big(long value) {
        return BigInteger.valueOf(value);
    }
}
