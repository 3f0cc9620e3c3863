package io.emeth.e2e.support;

import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.deploy.demo.DemoCorpus;
import io.emeth.deploy.demo.DemoRequester;
import io.emeth.deploy.demo.DevVerifier;
import java.net.URI;

/**
 * Jobs as the dev requester and the dev verifier give them to a drill's node: the bundled English
 * corpus, 20 EMT, a day to the deadline, {@code epochs} epochs; {@link #verifyIfSubmitted} pays a
 * submitted job out, as a verifier on the network would.
 */
public final class JobFlow {
    private static final byte[] CORPUS = DemoCorpus.english();

    private final DrillNode node;
    private final DemoRequester requester;
    private final DevVerifier verifier;

    public JobFlow(DrillNode node) throws Exception {
        this.node = node;
        this.requester =
                new DemoRequester(
                        node.web3j(),
                        node.deployment(),
                        DevAccounts.requester(),
                        URI.create(node.storageUrl()));
        this.verifier = new DevVerifier(node.web3j(), node.deployment(), DevAccounts.verifier());
    }

    /** Requests a job on data set {@code dataset}; returns once the request is mined. */
    public String request(String dataset, int epochs) throws Exception {
        return requester.request(
                new DemoRequester.JobRequest(
                        dataset,
                        CORPUS,
                        EmethRules.emt(20),
                        epochs,
                        "en",
                        DevChain.latestTimestamp(node.web3j()) + 86_400));
    }

    /** Verifies the job if it is SUBMITTED; true when it did. */
    public boolean verifyIfSubmitted(String jobId) throws Exception {
        return verifier.verifyIfSubmitted(jobId, CORPUS.length, EmethRules.GPT_COMPLEXITY);
    }

    public JobStatus status(String jobId) throws Exception {
        return verifier.status(jobId);
    }
}
