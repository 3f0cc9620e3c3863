package io.emeth.contracts.chain;

import static io.emeth.contracts.EmethRules.emt;
import static io.emeth.contracts.chain.ChainFixture.FEE;
import static io.emeth.contracts.chain.ContractLifecycleIT.big;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.contracts.ContractRates;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.generated.EmethCore;
import java.math.BigInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The refusals an operator meets, each with the reason string EmethCore reverts with and no EMT
 * moved; the calls the network's contract accepts and this one therefore accepts too; and the rates
 * the contract holds.
 */
class ContractRevertsIT {
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
    void shouldRefuseToProcessAJobThatIsNotRequested() throws Exception {
        // Given a job another node already processes
        String jobId = chain.requestJob();
        chain.process(chain.node, jobId);
        // When a second node tries to take it, Then it is refused
        chain.assertReverts(() -> chain.process(chain.nodeB, jobId), "job not REQUESTED");
        // And an unknown job is named as such
        chain.assertReverts(
                () -> chain.core(chain.nodeB).process(JobIds.toBytes(JobIds.random())).send(),
                "job does not exist");
    }

    @Test
    void shouldRefuseToProcessWithoutApprovalButNotAfterTheDeadline() throws Exception {
        String jobId = JobIds.random();
        chain.request(jobId, FEE, chain.now() + 60);
        byte[] id = JobIds.toBytes(jobId);
        chain.assertReverts(
                () -> chain.core(chain.nodeC).process(id).send(),
                "EMT allowance below deposit: approve EmethCore first");
        // like the network's contract, process checks no deadline: the node must
        chain.advance(120);
        chain.process(chain.nodeC, jobId);
        assertThat(chain.reader.job(jobId).status()).isEqualTo(JobStatus.PROCESSING);
    }

    @Test
    void shouldRefuseADuplicateRequestButAcceptWhatTheNetworkAccepts() throws Exception {
        String jobId = chain.requestJob();
        long deadline = chain.now() + 3600;
        chain.assertReverts(() -> chain.request(jobId, FEE, deadline), "job id already used");

        // a fee below VERIFIER_FEE and a past deadline are accepted, as on the network
        String cheap = JobIds.random();
        chain.request(cheap, emt(5), chain.now() - 1);
        assertThat(chain.reader.job(cheap).fee()).isEqualTo(emt(5));
        // but such a job can never be verified
        chain.process(chain.node, cheap);
        chain.submit(chain.node, cheap);
        chain.assertReverts(
                () -> chain.core(chain.verifier).verify(JobIds.toBytes(cheap), big(1)).send(),
                "fee below VERIFIER_FEE");
    }

    @Test
    void shouldRefuseRequestsTheRequesterCannotPayFor() throws Exception {
        // Without an approval the fee cannot be pulled
        chain.assertReverts(
                () ->
                        chain.core(chain.requester)
                                .request(
                                        JobIds.toBytes(JobIds.random()),
                                        BigInteger.ZERO,
                                        "dataset/x",
                                        "{}",
                                        FEE,
                                        big(chain.now() + 3600))
                                .send(),
                "EMT allowance below fee: approve EmethCore first");
        // An account without EMT is told so, even after approving
        chain.token(chain.stranger).approve(chain.deployment.coreAddress(), FEE).send();
        chain.assertReverts(
                () ->
                        chain.core(chain.stranger)
                                .request(
                                        JobIds.toBytes(JobIds.random()),
                                        BigInteger.ZERO,
                                        "dataset/x",
                                        "{}",
                                        FEE,
                                        big(chain.now() + 3600))
                                .send(),
                "EMT balance below fee");
    }

    @Test
    void shouldRefuseCallsFromTheWrongAccount() throws Exception {
        String jobId = chain.requestJob();
        byte[] id = JobIds.toBytes(jobId);
        chain.assertReverts(
                () -> chain.core(chain.stranger).cancel(id).send(), "caller is not the job owner");
        chain.process(chain.node, jobId);
        chain.assertReverts(
                () -> chain.core(chain.stranger).decline(id).send(),
                "caller is not the job's node");
        chain.assertReverts(
                () -> chain.core(chain.stranger).submit(id, "x").send(),
                "caller is not the job's node");
        chain.assertReverts(
                () -> chain.core(chain.verifier).verify(id, big(1)).send(), "job not SUBMITTED");
        chain.submit(chain.node, jobId);
        chain.assertReverts(
                () -> chain.core(chain.node).verify(id, big(1)).send(),
                "caller is not the verifier");
        chain.assertReverts(
                () -> chain.core(chain.stranger).rejectResult(id).send(),
                "caller is not the verifier");
        chain.assertReverts(
                () -> chain.core(chain.node).timeout(id).send(), "caller is not the verifier");
        chain.assertReverts(
                () -> chain.core(chain.verifier).timeout(id).send(), "job not PROCESSING");
        chain.assertReverts(() -> chain.core(chain.node).decline(id).send(), "job not PROCESSING");
    }

    @Test
    void shouldLetOnlyTheVerifierHandTheRoleOn() throws Exception {
        String replacement = chain.nodeC.getAddress();
        EmethCore view = chain.core(chain.requester);
        assertThat(view.isVerifier(chain.verifier.getAddress()).send()).isTrue();
        chain.assertReverts(
                () -> chain.core(chain.stranger).setVerifier(replacement).send(),
                "caller is not the verifier");
        chain.core(chain.verifier).setVerifier(replacement).send();
        assertThat(view.verifier().send()).isEqualToIgnoringCase(replacement);
        assertThat(view.isVerifier(chain.verifier.getAddress()).send()).isFalse();
        // the new verifier hands it back for the other tests
        chain.core(chain.nodeC).setVerifier(chain.verifier.getAddress()).send();
        assertThat(view.isVerifier(chain.verifier.getAddress()).send()).isTrue();
    }

    @Test
    void shouldHoldTheNetworksRatesAndArithmetic() throws Exception {
        EmethCore core = chain.core(chain.requester);
        ContractRates rates = chain.reader.rates();
        // the values the network's deployment holds; the node itself reads them, never assumes
        assertThat(rates.depositRate()).isEqualTo(big(100_000));
        assertThat(rates.declinePenaltyRate()).isEqualTo(big(10_000));
        assertThat(rates.timeoutPenaltyRate()).isEqualTo(big(10_000));
        assertThat(rates.failedPenaltyRate()).isEqualTo(big(100_000));
        assertThat(rates.maxSlotGasPerNode()).isEqualTo(big(9_000));
        assertThat(rates.verifierFee()).isEqualTo(emt(10));
        assertThat(core.getEstimatedGas(big(1000), big(EmethRules.GPT_COMPLEXITY)).send())
                .isEqualTo(EmethRules.estimatedGas(1000, EmethRules.GPT_COMPLEXITY));
        assertThat(chain.reader.currentSlot()).isEqualTo(EmethRules.slotAt(chain.now()));
        assertThat(core.startSlot().send().longValueExact())
                .isLessThanOrEqualTo(chain.currentSlot());
        assertThat(core.emtToken().send()).isEqualToIgnoringCase(chain.deployment.tokenAddress());
        // the first slot mints 12,000 × 24 EMT
        assertThat(chain.reader.slot(core.startSlot().send().longValueExact()).totalReward())
                .isEqualTo(emt(12_000L * 24));
    }
}
