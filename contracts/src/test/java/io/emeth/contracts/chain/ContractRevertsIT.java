package io.emeth.contracts.chain;

import static io.emeth.contracts.EmethRules.emt;
import static io.emeth.contracts.chain.ChainFixture.FEE;
import static io.emeth.contracts.chain.ContractLifecycleIT.big;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.generated.EmethCore;
import java.math.BigInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The refusals an operator meets, each with the reason string EmethCore reverts with and no EMT
 * moved; and the contract's constants against {@link EmethRules}.
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
    void shouldRefuseToProcessAfterTheDeadlineOrWithoutApproval() throws Exception {
        String jobId = JobIds.random();
        chain.request(jobId, FEE, chain.now() + 60);
        byte[] id = JobIds.toBytes(jobId);
        chain.assertReverts(
                () -> chain.core(chain.nodeC).process(id).send(),
                "EMT allowance below deposit: approve EmethCore first");
        chain.advance(120);
        chain.assertReverts(() -> chain.process(chain.nodeC, jobId), "deadline passed");
    }

    @Test
    void shouldRefuseDuplicateAndMalformedRequests() throws Exception {
        String jobId = chain.requestJob();
        long deadline = chain.now() + 3600;
        chain.assertReverts(() -> chain.request(jobId, FEE, deadline), "job id already used");
        chain.assertReverts(
                () -> chain.request("0x" + "0".repeat(32), FEE, deadline), "job id is zero");
        chain.assertReverts(
                () -> chain.request(JobIds.random(), BigInteger.ZERO, deadline), "fee is zero");
        chain.assertReverts(
                () -> chain.request(JobIds.random(), emt(9), deadline), "fee below VERIFIER_FEE");
        chain.assertReverts(
                () -> chain.request(JobIds.random(), FEE, chain.now() - 1),
                "deadline is in the past");
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
        chain.assertReverts(() -> chain.core(chain.node).submit(id, "").send(), "result is empty");
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
    void shouldLetOnlyTheOwnerReplaceTheVerifier() throws Exception {
        String replacement = chain.nodeC.getAddress();
        chain.assertReverts(
                () -> chain.core(chain.stranger).setVerifier(replacement).send(),
                "caller is not the owner");
        var changed = chain.core(chain.verifier).setVerifier(replacement).send();
        assertThat(EmethCore.getVerifierChangedEvents(changed))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.previousVerifier)
                                    .isEqualToIgnoringCase(chain.verifier.getAddress());
                            assertThat(e.newVerifier).isEqualToIgnoringCase(replacement);
                        });
        assertThat(chain.core(chain.requester).verifier().send())
                .isEqualToIgnoringCase(replacement);
        // the deployer is still the owner and restores the verifier for the other tests
        chain.core(chain.verifier).setVerifier(chain.verifier.getAddress()).send();
        assertThat(chain.core(chain.requester).verifier().send())
                .isEqualToIgnoringCase(chain.verifier.getAddress());
    }

    @Test
    void shouldExposeTheRatesAndArithmeticOfEmethRules() throws Exception {
        EmethCore core = chain.core(chain.requester);
        assertThat(core.DEPOSIT_RATE().send()).isEqualTo(big(EmethRules.DEPOSIT_RATE));
        assertThat(core.DECLINE_PENALTY_RATE().send())
                .isEqualTo(big(EmethRules.DECLINE_PENALTY_RATE));
        assertThat(core.TIMEOUT_PENALTY_RATE().send())
                .isEqualTo(big(EmethRules.TIMEOUT_PENALTY_RATE));
        assertThat(core.FAILED_PENALTY_RATE().send())
                .isEqualTo(big(EmethRules.FAILED_PENALTY_RATE));
        assertThat(core.RATE_DENOMINATOR().send()).isEqualTo(big(EmethRules.RATE_DENOMINATOR));
        assertThat(core.VERIFIER_FEE().send()).isEqualTo(EmethRules.VERIFIER_FEE);
        assertThat(core.MAX_SLOT_GAS_PER_NODE().send())
                .isEqualTo(big(EmethRules.MAX_SLOT_GAS_PER_NODE));
        assertThat(core.SLOT_INTERVAL().send()).isEqualTo(big(EmethRules.SLOT_INTERVAL_SECONDS));
        assertThat(core.BASE_SLOT_REWARD().send()).isEqualTo(EmethRules.BASE_SLOT_REWARD);
        assertThat(core.SLOT_REWARD_DECREMENT().send()).isEqualTo(EmethRules.SLOT_REWARD_DECREMENT);
        for (long slot : new long[] {0, 1, 365, 7300, 7301, Long.MAX_VALUE}) {
            assertThat(core.slotReward(big(slot)).send()).isEqualTo(EmethRules.slotReward(slot));
        }
        assertThat(core.getEstimatedGas(big(1000), big(EmethRules.GPT_COMPLEXITY)).send())
                .isEqualTo(EmethRules.estimatedGas(1000, EmethRules.GPT_COMPLEXITY));
        long start = core.startTime().send().longValueExact();
        assertThat(core.currentSlot().send().longValueExact())
                .isEqualTo(EmethRules.slotAt(start, chain.now()));
    }
}
