package io.emeth.contracts.chain;

import static io.emeth.contracts.EmethRules.emt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.contracts.ContractRates;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.dev.Anvil;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.contracts.dev.DevChain.Deployment;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;

/**
 * A fresh anvil with EMT and EmethCore deployed and the dev accounts funded, plus the steps and
 * balance checks the contract ITs share. One per test class.
 */
final class ChainFixture implements AutoCloseable {
    static final BigInteger FEE = emt(20);
    static final String DATASET = "dataset/corpus-en.txt";
    static final String PARAM = "{\"language\": \"en\", \"epoch\": 2}";

    final Anvil anvil;
    final Web3j web3j;
    final Deployment deployment;
    final EmethCoreReader reader;
    final ContractRates rates;
    final Credentials verifier = DevAccounts.verifier();
    final Credentials requester = DevAccounts.requester();
    final Credentials node = DevAccounts.master();
    final Credentials nodeB = DevAccounts.worker(0);
    final Credentials nodeC = DevAccounts.worker(1);
    final Credentials stranger = DevAccounts.get(5).credentials();

    private final Map<String, EmethCore> cores = new HashMap<>();
    private final Map<String, EmethToken> tokens = new HashMap<>();

    private ChainFixture(Anvil anvil) throws Exception {
        this.anvil = anvil;
        this.web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
        this.deployment = DevChain.deploy(web3j, DevAccounts.deployer(), verifier);
        DevChain.fundDevAccounts(web3j, deployment, emt(10_000));
        this.reader = EmethCoreReader.of(web3j, deployment.coreAddress(), requester.getAddress());
        this.rates = reader.rates();
    }

    static ChainFixture start() throws Exception {
        Anvil anvil = Anvil.start(Anvil.Options.defaults());
        try {
            return new ChainFixture(anvil);
        } catch (Exception | AssertionError e) {
            anvil.close();
            throw e;
        }
    }

    EmethCore core(Credentials as) throws Exception {
        EmethCore core = cores.get(as.getAddress());
        if (core == null) {
            core = DevChain.core(web3j, deployment, as);
            cores.put(as.getAddress(), core);
        }
        return core;
    }

    EmethToken token(Credentials as) throws Exception {
        EmethToken token = tokens.get(as.getAddress());
        if (token == null) {
            token = DevChain.token(web3j, deployment, as);
            tokens.put(as.getAddress(), token);
        }
        return token;
    }

    /** The requester approves the fee and posts a job; returns the request's receipt. */
    TransactionReceipt request(String jobId, BigInteger fee, long deadline) throws Exception {
        token(requester).approve(deployment.coreAddress(), fee).send();
        return core(requester)
                .request(
                        JobIds.toBytes(jobId),
                        BigInteger.ZERO,
                        DATASET,
                        PARAM,
                        fee,
                        BigInteger.valueOf(deadline))
                .send();
    }

    /** A new job with the standard fee and a deadline an hour ahead; returns its id. */
    String requestJob() throws Exception {
        String jobId = JobIds.random();
        request(jobId, FEE, now() + 3600);
        return jobId;
    }

    /** {@code as} approves the deposit and takes the job. */
    TransactionReceipt process(Credentials as, String jobId) throws Exception {
        token(as).approve(deployment.coreAddress(), rates.deposit(fee(jobId))).send();
        return core(as).process(JobIds.toBytes(jobId)).send();
    }

    TransactionReceipt submit(Credentials as, String jobId) throws Exception {
        return core(as).submit(JobIds.toBytes(jobId), "model-" + jobId + ".zip").send();
    }

    /** Requests a job and has {@code as} process and submit it; returns its id. */
    String submittedJob(Credentials as) throws Exception {
        String jobId = requestJob();
        process(as, jobId);
        submit(as, jobId);
        return jobId;
    }

    BigInteger fee(String jobId) throws Exception {
        return reader.job(jobId).fee();
    }

    int status(String jobId) throws Exception {
        return reader.job(jobId).statusCode().intValueExact();
    }

    long now() throws Exception {
        return DevChain.latestTimestamp(web3j);
    }

    void advance(long seconds) throws Exception {
        DevChain.increaseTime(web3j, seconds);
    }

    /** Moves the chain clock to the first second of the next reward slot (UTC day). */
    void advanceToNextSlot() throws Exception {
        long now = now();
        advance(EmethRules.SLOT_INTERVAL_SECONDS - now % EmethRules.SLOT_INTERVAL_SECONDS);
    }

    long currentSlot() throws Exception {
        return reader.currentSlot();
    }

    /** EMT balances of every account the ITs touch, and of EmethCore itself. */
    Map<String, BigInteger> balances() throws Exception {
        Map<String, BigInteger> balances = new LinkedHashMap<>();
        for (String account :
                List.of(
                        requester.getAddress(),
                        node.getAddress(),
                        nodeB.getAddress(),
                        nodeC.getAddress(),
                        verifier.getAddress(),
                        stranger.getAddress(),
                        deployment.coreAddress())) {
            balances.put(account, emtOf(account));
        }
        return balances;
    }

    BigInteger emtOf(String account) throws Exception {
        return DevChain.emtBalance(web3j, deployment.tokenAddress(), account);
    }

    /**
     * Asserts that since {@code before} exactly the given EMT amounts moved (account → signed delta
     * in wei) and every other tracked balance stayed put.
     */
    void assertMoved(Map<String, BigInteger> before, Map<String, BigInteger> deltas)
            throws Exception {
        Map<String, BigInteger> after = balances();
        Map<String, BigInteger> actual = new LinkedHashMap<>();
        Map<String, BigInteger> expected = new LinkedHashMap<>();
        for (String account : after.keySet()) {
            actual.put(account, after.get(account).subtract(before.get(account)));
            expected.put(account, deltas.getOrDefault(account, BigInteger.ZERO));
        }
        assertThat(actual).as("EMT balance changes").isEqualTo(expected);
    }

    /** Asserts the call reverts with {@code reason} and moves no EMT. */
    void assertReverts(ThrowingCallable call, String reason) throws Exception {
        Map<String, BigInteger> before = balances();
        assertThatThrownBy(call).hasMessageContaining(reason);
        assertMoved(before, Map.of());
    }

    @Override
    public void close() {
        web3j.shutdown();
        anvil.close();
    }
}
