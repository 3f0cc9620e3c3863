package io.emeth.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.storage.StorageClient;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.dev.Anvil;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.storage.dev.StorageDevServer;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/** The demo's requester and dev verifier against a real anvil and storage dev server. */
class DemoChainIT {
    @TempDir static Path storageRoot;
    static Anvil anvil;
    static Web3j web3j;
    static DevChain.Deployment deployment;
    static StorageDevServer storage;

    @BeforeAll
    static void chainAndStorage() throws Exception {
        anvil = Anvil.start(Anvil.Options.defaults());
        web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
        deployment = DevChain.deploy(web3j, DevAccounts.deployer(), DevAccounts.verifier());
        DevChain.fundDevAccounts(web3j, deployment, EmethRules.emt(1000));
        storage = StorageDevServer.start(storageRoot, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        storage.close();
        web3j.shutdown();
        anvil.close();
    }

    @Test
    void shouldRequestTheBundledCorpusAndVerifyItOnceSubmitted() throws Exception {
        // Given the bundled corpus, requested for 20 EMT and 2 epochs
        byte[] corpus = DemoCorpus.english();
        BigInteger fee = EmethRules.emt(20);
        long deadline = DevChain.latestTimestamp(web3j) + 86_400;
        String jobId =
                new DemoRequester(
                                web3j,
                                deployment,
                                DevAccounts.requester(),
                                URI.create(storage.url()))
                        .request(
                                new DemoRequester.JobRequest(
                                        "demo-corpus-en", corpus, fee, 2, "en", deadline));

        // Then the job is REQUESTED on chain with its param, and a node can download its data set
        EmethCore asMaster = DevChain.core(web3j, deployment, DevAccounts.master());
        var details = asMaster.jobDetails(JobIds.toBytes(jobId)).send();
        assertThat(details.component2()).isEqualTo("{\"language\": \"en\", \"epoch\": 2}");
        assertThat(details.component3()).isEqualTo("demo-corpus-en");
        NodeIdentity master = NodeIdentity.fromPrivateKey(DevAccounts.get(1).privateKey());
        StorageClient client = StorageClient.builder(URI.create(storage.url()), master).build();
        assertThat(client.sizeOf("demo-corpus-en")).isEqualTo(corpus.length);
        DevVerifier verifier = new DevVerifier(web3j, deployment, DevAccounts.verifier());
        assertThat(verifier.status(jobId)).isEqualTo(JobStatus.REQUESTED);
        assertThat(verifier.verifyIfSubmitted(jobId, corpus.length, 5822)).isFalse();

        // When the node processes and submits it
        Credentials node = DevAccounts.master();
        DevChain.token(web3j, deployment, node).approve(deployment.coreAddress(), fee).send();
        asMaster.process(JobIds.toBytes(jobId)).send();
        asMaster.submit(JobIds.toBytes(jobId), jobId + "-model.bin").send();

        // Then the dev verifier verifies it, once
        assertThat(verifier.verifyIfSubmitted(jobId, corpus.length, 5822)).isTrue();
        assertThat(verifier.status(jobId)).isEqualTo(JobStatus.VERIFIED);
        assertThat(verifier.verifyIfSubmitted(jobId, corpus.length, 5822)).isFalse();
    }

    @Test
    void shouldBundleACorpusLargeEnoughToBeMatchedAndValidUtf8() {
        byte[] corpus = DemoCorpus.english();
        assertThat(corpus.length).isGreaterThan(4096);
        assertThat(new String(corpus, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8))
                .isEqualTo(corpus);
    }
}
