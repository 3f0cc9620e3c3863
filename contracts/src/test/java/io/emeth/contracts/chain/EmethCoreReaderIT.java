package io.emeth.contracts.chain;

import static io.emeth.contracts.chain.ChainFixture.FEE;
import static io.emeth.contracts.chain.ContractLifecycleIT.big;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link EmethCoreReader} against the contract on anvil: {@code jobs()} decoded for a job in every
 * status the contract sets (the seven outputs in the network's order), and a refused call told
 * apart from a transport failure.
 */
class EmethCoreReaderIT {
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
    void shouldDecodeAJobInEveryStatus() throws Exception {
        // Given one job in each status the contract sets
        Map<JobStatus, String> jobs = new LinkedHashMap<>();
        jobs.put(JobStatus.REQUESTED, chain.requestJob());
        String processing = chain.requestJob();
        chain.process(chain.node, processing);
        jobs.put(JobStatus.PROCESSING, processing);
        jobs.put(JobStatus.SUBMITTED, chain.submittedJob(chain.node));
        String verified = chain.submittedJob(chain.node);
        chain.core(chain.verifier).verify(JobIds.toBytes(verified), big(10)).send();
        jobs.put(JobStatus.VERIFIED, verified);
        String canceled = chain.requestJob();
        chain.core(chain.requester).cancel(JobIds.toBytes(canceled)).send();
        jobs.put(JobStatus.CANCELED, canceled);
        String timedOut = chain.requestJob();
        chain.process(chain.node, timedOut);
        chain.core(chain.verifier).timeout(JobIds.toBytes(timedOut)).send();
        jobs.put(JobStatus.TIMEOUT, timedOut);
        String failed = chain.submittedJob(chain.node);
        chain.core(chain.verifier).rejectResult(JobIds.toBytes(failed)).send();
        jobs.put(JobStatus.FAILED, failed);
        String declined = chain.requestJob();
        chain.process(chain.node, declined);
        chain.core(chain.node).decline(JobIds.toBytes(declined)).send();
        jobs.put(JobStatus.DECLINED, declined);

        // When each is read, Then every field lands where the network's ABI puts it
        for (var entry : jobs.entrySet()) {
            EmethCoreReader.Job job = chain.reader.job(entry.getValue());
            assertThat(job.exists()).as("%s exists", entry.getKey()).isTrue();
            assertThat(job.jobId()).isEqualTo(entry.getValue());
            assertThat(job.owner()).isEqualToIgnoringCase(chain.requester.getAddress());
            assertThat(job.fee()).as("%s fee", entry.getKey()).isEqualTo(FEE);
            assertThat(job.status()).isEqualTo(entry.getKey());
            assertThat(job.deadline()).isGreaterThan(job.requestedAt());
            assertThat(job.requestedAt()).isPositive().isLessThanOrEqualTo(chain.now());
            EmethCoreReader.Assignment assign = chain.reader.assignment(entry.getValue());
            assertThat(assign.assigned())
                    .isEqualTo(
                            entry.getKey() != JobStatus.REQUESTED
                                    && entry.getKey() != JobStatus.CANCELED);
        }
    }

    @Test
    void shouldReadAnUnknownJobAsNotExisting() throws Exception {
        EmethCoreReader.Job job = chain.reader.job(JobIds.random());
        assertThat(job.exists()).isFalse();
        assertThat(job.status()).isEqualTo(JobStatus.REQUESTED); // all zeros, hence exists
        assertThat(chain.reader.assignment(JobIds.random()).assigned()).isFalse();
    }

    @Test
    void shouldReadTheTokenBalanceAndAllowanceTheGatewayChecks() throws Exception {
        String node = chain.node.getAddress();
        chain.token(chain.node).approve(chain.deployment.coreAddress(), FEE).send();
        assertThat(chain.reader.tokenAddress())
                .isEqualToIgnoringCase(chain.deployment.tokenAddress());
        assertThat(chain.reader.emtBalance(node)).isEqualTo(chain.emtOf(node)).isPositive();
        assertThat(chain.reader.allowance(node)).isEqualTo(FEE);
    }

    @Test
    void shouldTellARefusedCallFromATransportFailure() throws Exception {
        // a revert carries the contract's reason
        assertThatThrownBy(() -> chain.reader.slot(0))
                .isInstanceOf(EmethCoreReader.CallRefusedException.class)
                .hasMessageContaining("slots(0) reverted: slot before startSlot");
        // a contract without the function (here the token) is refused, naming the address
        EmethCoreReader wrong =
                EmethCoreReader.of(
                        chain.web3j, chain.deployment.tokenAddress(), chain.requester.getAddress());
        assertThatThrownBy(() -> wrong.job(JobIds.random()))
                .isInstanceOf(EmethCoreReader.CallRefusedException.class)
                .hasMessageContaining("jobs(");
    }
}
