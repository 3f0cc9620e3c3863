package io.emeth.deploy.dev;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.storage.StorageClient;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.deploy.OperatorException;
import io.emeth.deploy.demo.DevVerifier;
import java.net.URI;
import java.util.concurrent.Callable;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code emeth dev verify <jobId>}: the dev verifier (account 0) verifies a SUBMITTED job on the
 * dev stack, standing in for the network's verifier so that the fee and reward flow end to end.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "Verify a SUBMITTED job on the dev stack as the dev verifier (account 0).")
final class DevVerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "jobId", description = "The job (0x + 32 hex).")
    String jobId;

    @Override
    public Integer call() throws Exception {
        StackLayout layout = StackLayout.fromEnvironment();
        StackState state = StackState.require(layout);
        Web3j web3j = Web3j.build(new HttpService(state.ethereumEndpoint()));
        try {
            DevChain.Deployment deployment = state.deployment();
            DevVerifier verifier = new DevVerifier(web3j, deployment, DevAccounts.verifier());
            long sizeBytes = datasetSize(web3j, deployment, state);
            if (!verifier.verifyIfSubmitted(jobId, sizeBytes, EmethRules.GPT_COMPLEXITY)) {
                throw new OperatorException(
                        "job "
                                + jobId
                                + " is "
                                + verifier.status(jobId)
                                + ", not SUBMITTED: nothing to verify");
            }
            System.out.println(jobId + " VERIFIED");
            return 0;
        } catch (IllegalArgumentException e) {
            throw new OperatorException(e.getMessage(), e);
        } finally {
            web3j.shutdown();
        }
    }

    /** The data set's size, asked from the storage API as a node would. */
    private long datasetSize(Web3j web3j, DevChain.Deployment deployment, StackState state)
            throws Exception {
        String dataset =
                EmethCoreReader.of(web3j, deployment.coreAddress(), DevAccounts.get(0).address())
                        .details(jobId)
                        .dataset();
        NodeIdentity verifier = NodeIdentity.fromPrivateKey(DevAccounts.get(0).privateKey());
        return StorageClient.builder(URI.create(state.storageApi()), verifier)
                .build()
                .sizeOf(dataset);
    }
}
