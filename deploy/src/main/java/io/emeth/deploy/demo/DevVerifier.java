package io.emeth.deploy.demo;

import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.dev.DevChain;
import io.emeth.contracts.generated.EmethCore;
import java.math.BigInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * The dev stack's verifier: on the real network a verifier checks a submitted model and calls
 * {@code verify}; the demo has no such service, so this one verifies a SUBMITTED job with the gas
 * the contract estimates for its data set.
 */
public final class DevVerifier {
    private static final Logger log = LoggerFactory.getLogger(DevVerifier.class);

    private final EmethCore core;
    private final EmethCoreReader reader;

    public DevVerifier(Web3j web3j, DevChain.Deployment deployment, Credentials verifier)
            throws java.io.IOException {
        this.core = DevChain.core(web3j, deployment, verifier);
        this.reader = EmethCoreReader.of(web3j, deployment.coreAddress(), verifier.getAddress());
    }

    /** The job's on-chain status. */
    public JobStatus status(String jobId) throws Exception {
        return JobStatus.fromCode(reader.job(jobId).statusCode());
    }

    /**
     * Verifies the job if it is SUBMITTED; returns true when it did. The gas is the contract's
     * estimate for the data set's size in MB (at least 1), as the master computed it.
     */
    public boolean verifyIfSubmitted(String jobId, long datasetSizeBytes, long complexity)
            throws Exception {
        if (status(jobId) != JobStatus.SUBMITTED) {
            return false;
        }
        long sizeMb = Math.max(1, datasetSizeBytes / 1_000_000);
        BigInteger gas =
                core.getEstimatedGas(BigInteger.valueOf(sizeMb), BigInteger.valueOf(complexity))
                        .send();
        core.verify(JobIds.toBytes(jobId), gas).send();
        log.info(
                "Verified job [jobId:{}, node:{}, gas:{}]",
                jobId,
                reader.assignment(jobId).node(),
                gas);
        return true;
    }
}
