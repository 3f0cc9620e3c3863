package io.emeth.admin.support;

import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.dev.Anvil;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.contracts.dev.DevChain.Deployment;
import io.emeth.contracts.generated.EmethCore;
import java.math.BigInteger;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * A fresh anvil with the contracts deployed and the dev accounts funded, and job lifecycle steps.
 */
public final class ItChain implements AutoCloseable {
    public static final BigInteger FEE = EmethRules.emt(20);

    public final Anvil anvil;
    public final Web3j web3j;
    public final Deployment deployment;
    public final Credentials master = DevAccounts.master();
    public final Credentials otherNode = DevAccounts.worker(0);
    public final Credentials requester = DevAccounts.requester();
    public final Credentials verifier = DevAccounts.verifier();

    private ItChain(Anvil anvil) throws Exception {
        this.anvil = anvil;
        this.web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
        this.deployment = DevChain.deploy(web3j, DevAccounts.deployer(), verifier);
        DevChain.fundDevAccounts(web3j, deployment, EmethRules.emt(10_000));
    }

    public static ItChain start() throws Exception {
        Anvil anvil = Anvil.start(Anvil.Options.defaults());
        try {
            return new ItChain(anvil);
        } catch (Exception | Error e) {
            anvil.close();
            throw e;
        }
    }

    /** A requested job that {@code node} has taken (PROCESSING); returns its id. */
    public String processing(Credentials node) throws Exception {
        String jobId = JobIds.random();
        DevChain.token(web3j, deployment, requester).approve(deployment.coreAddress(), FEE).send();
        core(requester)
                .request(
                        JobIds.toBytes(jobId),
                        BigInteger.ZERO,
                        "dataset/it.txt",
                        "{\"language\": \"en\", \"epoch\": 1}",
                        FEE,
                        BigInteger.valueOf(DevChain.latestTimestamp(web3j) + 7200))
                .send();
        DevChain.token(web3j, deployment, node)
                .approve(deployment.coreAddress(), reader().rates().deposit(FEE))
                .send();
        core(node).process(JobIds.toBytes(jobId)).send();
        return jobId;
    }

    /**
     * A job {@code node} processed, submitted and got verified with {@code gas}; returns its id.
     */
    public String verified(Credentials node, long gas) throws Exception {
        String jobId = processing(node);
        core(node).submit(JobIds.toBytes(jobId), "result-" + jobId).send();
        core(verifier).verify(JobIds.toBytes(jobId), BigInteger.valueOf(gas)).send();
        return jobId;
    }

    public EmethCore core(Credentials as) throws Exception {
        return DevChain.core(web3j, deployment, as);
    }

    public long currentSlot() throws Exception {
        return reader().currentSlot();
    }

    /** The contract's state, read as the requester. */
    public EmethCoreReader reader() {
        return EmethCoreReader.of(web3j, deployment.coreAddress(), requester.getAddress());
    }

    /** The private key of {@code credentials} as 64 hex digits, for a config file. */
    public static String privateKey(Credentials credentials) {
        return String.format("%064x", credentials.getEcKeyPair().getPrivateKey());
    }

    @Override
    public void close() {
        web3j.shutdown();
        anvil.close();
    }
}
