package io.emeth.contracts.chain;

import static io.emeth.contracts.EmethRules.VERIFIER_FEE;
import static io.emeth.contracts.EmethRules.emt;
import static io.emeth.contracts.chain.ChainFixture.DATASET;
import static io.emeth.contracts.chain.ChainFixture.FEE;
import static io.emeth.contracts.chain.ChainFixture.PARAM;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethCore.PenaltyEventResponse;
import io.emeth.contracts.generated.EmethCore.RequestEventResponse;
import io.emeth.contracts.generated.EmethCore.RewardEventResponse;
import io.emeth.contracts.generated.EmethCore.StatusEventResponse;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple5;
import org.web3j.tuples.generated.Tuple6;

/** Drives every settlement path of EmethCore on a real anvil, checking balances after each step. */
class ContractLifecycleIT {
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
        Tuple5<String, BigInteger, BigInteger, BigInteger, BigInteger> job =
                chain.core(chain.requester).jobs(id).send();
        assertThat(job.component1()).isEqualToIgnoringCase(requester);
        assertThat(job.component2()).isEqualTo(BigInteger.valueOf(deadline));
        assertThat(job.component3()).isEqualTo(FEE);
        assertThat(job.component4().intValue()).isEqualTo(JobStatus.REQUESTED.code());
        assertThat(job.component5()).isEqualTo(blockTime(requested));
        var details = chain.core(chain.requester).jobDetails(id).send();
        assertThat(details.component1()).isZero();
        assertThat(details.component2()).isEqualTo(PARAM);
        assertThat(details.component3()).isEqualTo(DATASET);
        assertThat(details.component4()).isEmpty();

        // When the node processes it: its deposit (= fee) moves into the contract
        before = chain.balances();
        TransactionReceipt processed = chain.process(chain.node, jobId);
        BigInteger deposit = EmethRules.deposit(FEE);
        chain.assertMoved(before, Map.of(node, deposit.negate(), core, deposit));
        assertStatusEvent(processed, jobId, node, JobStatus.PROCESSING);
        Tuple6<String, BigInteger, BigInteger, BigInteger, BigInteger, BigInteger> assign =
                chain.core(chain.requester).jobAssigns(id).send();
        assertThat(assign.component1()).isEqualToIgnoringCase(node);
        assertThat(assign.component2()).isEqualTo(deposit);
        assertThat(assign.component4()).isEqualTo(blockTime(processed));

        // And submits the result: no money moves
        before = chain.balances();
        TransactionReceipt submitted = chain.submit(chain.node, jobId);
        chain.assertMoved(before, Map.of());
        assertStatusEvent(submitted, jobId, node, JobStatus.SUBMITTED);
        assertThat(chain.core(chain.requester).jobDetails(id).send().component4())
                .isEqualTo("model-" + jobId + ".zip");
        assertThat(chain.core(chain.requester).jobAssigns(id).send().component5())
                .isEqualTo(blockTime(submitted));

        // And the verifier verifies it with 1234 gas
        long slot = chain.currentSlot();
        BigInteger held = chain.core(chain.requester).slotBalances(big(slot), node).send();
        var slotBefore = chain.core(chain.requester).slots(big(slot)).send();
        before = chain.balances();
        TransactionReceipt verified = chain.core(chain.verifier).verify(id, big(1234)).send();

        // Then the verifier earns VERIFIER_FEE, the node the rest of the fee plus its deposit
        BigInteger toNode = FEE.subtract(VERIFIER_FEE).add(deposit);
        chain.assertMoved(
                before,
                Map.of(
                        chain.verifier.getAddress(),
                        VERIFIER_FEE,
                        node,
                        toNode,
                        core,
                        FEE.add(deposit).negate()));
        assertStatusEvent(verified, jobId, node, JobStatus.VERIFIED);
        assertThat(chain.status(jobId)).isEqualTo(JobStatus.VERIFIED.code());
        assign = chain.core(chain.requester).jobAssigns(id).send();
        assertThat(assign.component3()).isEqualTo(big(1234));
        assertThat(assign.component6()).isEqualTo(blockTime(verified));

        // And the job's gas entered the current slot, announced by a Reward event
        long credited = EmethRules.creditedGas(held.longValueExact(), 1234);
        assertThat(credited).isPositive();
        RewardEventResponse reward = EmethCore.getRewardEvents(verified).get(0);
        assertThat(reward.nodeAddress).isEqualToIgnoringCase(node);
        assertThat(reward.slot).isEqualTo(big(slot));
        assertThat(reward.gas).isEqualTo(big(credited));
        assertThat(chain.core(chain.requester).slotBalances(big(slot), node).send())
                .isEqualTo(held.add(big(credited)));
        var slotAfter = chain.core(chain.requester).slots(big(slot)).send();
        assertThat(slotAfter.component1()).isEqualTo(slotBefore.component1().add(big(credited)));
        assertThat(slotAfter.component2()).isEqualTo(EmethRules.slotReward(slot));
    }

    @Test
    void shouldRefundFeeWhenOwnerCancelsRequestedJob() throws Exception {
        // Given a requested job
        String jobId = chain.requestJob();
        var before = chain.balances();

        // When its owner cancels it
        TransactionReceipt canceled =
                chain.core(chain.requester).cancel(JobIds.toBytes(jobId)).send();

        // Then the fee goes back, Cancel and Status(CANCELED) are emitted
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
        assertStatusEvent(
                canceled, jobId, "0x0000000000000000000000000000000000000000", JobStatus.CANCELED);
        assertThat(chain.status(jobId)).isEqualTo(JobStatus.CANCELED.code());

        // And a second cancel is refused
        chain.assertReverts(
                () -> chain.core(chain.requester).cancel(JobIds.toBytes(jobId)).send(),
                "job not REQUESTED");
    }

    @Test
    void shouldKeepTenPercentPenaltyAndRefundFeeWhenNodeDeclines() throws Exception {
        // Given a job the node is processing
        String jobId = chain.requestJob();
        chain.process(chain.node, jobId);
        BigInteger penalty = EmethRules.declinePenalty(FEE);
        assertThat(penalty).isEqualTo(emt(2));
        BigInteger penaltiesBefore = chain.core(chain.requester).collectedPenalties().send();
        var before = chain.balances();

        // When the node declines it
        TransactionReceipt declined = chain.core(chain.node).decline(JobIds.toBytes(jobId)).send();

        // Then the requester gets the fee back, the node its deposit less 10 % of the fee
        chain.assertMoved(
                before,
                Map.of(
                        chain.requester.getAddress(), FEE,
                        chain.node.getAddress(), EmethRules.deposit(FEE).subtract(penalty),
                        chain.deployment.coreAddress(),
                                FEE.add(EmethRules.deposit(FEE)).subtract(penalty).negate()));
        assertPenaltyEvent(declined, chain.node, penalty);
        assertStatusEvent(declined, jobId, chain.node.getAddress(), JobStatus.DECLINED);
        assertThat(chain.core(chain.requester).collectedPenalties().send())
                .isEqualTo(penaltiesBefore.add(penalty));
    }

    @Test
    void shouldKeepTenPercentPenaltyAndRefundFeeWhenJobTimesOut() throws Exception {
        // Given a job processed with a deadline two minutes ahead
        String jobId = JobIds.random();
        chain.request(jobId, FEE, chain.now() + 120);
        chain.process(chain.node, jobId);
        byte[] id = JobIds.toBytes(jobId);
        chain.assertReverts(
                () -> chain.core(chain.verifier).timeout(id).send(), "deadline not passed");

        // When the deadline passes without a result
        chain.advance(200);
        chain.assertReverts(() -> chain.submit(chain.node, jobId), "deadline passed");
        var before = chain.balances();
        TransactionReceipt timedOut = chain.core(chain.verifier).timeout(id).send();

        // Then the same rates as a decline apply
        BigInteger penalty = EmethRules.timeoutPenalty(FEE);
        chain.assertMoved(
                before,
                Map.of(
                        chain.requester.getAddress(), FEE,
                        chain.node.getAddress(), EmethRules.deposit(FEE).subtract(penalty),
                        chain.deployment.coreAddress(),
                                FEE.add(EmethRules.deposit(FEE)).subtract(penalty).negate()));
        assertPenaltyEvent(timedOut, chain.node, penalty);
        assertStatusEvent(timedOut, jobId, chain.node.getAddress(), JobStatus.TIMEOUT);
    }

    @Test
    void shouldReturnFeeAndWholeDepositWhenResultIsRejected() throws Exception {
        // Given a submitted job
        String jobId = chain.submittedJob(chain.node);
        var before = chain.balances();

        // When the verifier rejects the result
        TransactionReceipt rejected =
                chain.core(chain.verifier).rejectResult(JobIds.toBytes(jobId)).send();

        // Then the requester gets the fee back and the node its deposit, without penalty
        chain.assertMoved(
                before,
                Map.of(
                        chain.requester.getAddress(), FEE,
                        chain.node.getAddress(), EmethRules.deposit(FEE),
                        chain.deployment.coreAddress(), FEE.add(EmethRules.deposit(FEE)).negate()));
        assertThat(EmethCore.getPenaltyEvents(rejected)).isEmpty();
        assertThat(EmethCore.getRewardEvents(rejected)).isEmpty();
        assertStatusEvent(rejected, jobId, chain.node.getAddress(), JobStatus.REJECTED);
    }

    @Test
    void shouldSlashDepositAndPayVerifierWhenResultFails() throws Exception {
        // Given a submitted job
        String jobId = chain.submittedJob(chain.node);
        var before = chain.balances();

        // When the verifier marks it FAILED
        TransactionReceipt failed =
                chain.core(chain.verifier).failResult(JobIds.toBytes(jobId)).send();

        // Then the fee goes back, the whole deposit is slashed and pays the verifier its fee
        BigInteger slash = EmethRules.failedSlash(FEE);
        assertThat(slash).isEqualTo(EmethRules.deposit(FEE));
        chain.assertMoved(
                before,
                Map.of(
                        chain.requester.getAddress(), FEE,
                        chain.verifier.getAddress(), VERIFIER_FEE,
                        chain.deployment.coreAddress(), FEE.add(VERIFIER_FEE).negate()));
        assertPenaltyEvent(failed, chain.node, slash);
        assertStatusEvent(failed, jobId, chain.node.getAddress(), JobStatus.FAILED);
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

    static void assertPenaltyEvent(
            TransactionReceipt receipt, Credentials node, BigInteger slashed) {
        List<PenaltyEventResponse> events = EmethCore.getPenaltyEvents(receipt);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).nodeAddress).isEqualToIgnoringCase(node.getAddress());
        assertThat(events.get(0).slashed).isEqualTo(slashed);
    }

    private static BigInteger blockTime(TransactionReceipt receipt) throws Exception {
        return chain.web3j
                .ethGetBlockByHash(receipt.getBlockHash(), false)
                .send()
                .getBlock()
                .getTimestamp();
    }

    static BigInteger big(long value) {
        return BigInteger.valueOf(value);
    }
}
