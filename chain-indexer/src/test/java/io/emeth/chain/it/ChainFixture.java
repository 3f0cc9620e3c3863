package io.emeth.chain.it;

import io.emeth.contracts.ContractRates;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.dev.Anvil;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.contracts.dev.DevChain.Deployment;
import io.emeth.contracts.generated.EmethCore;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * A fresh anvil per IT class with EMT and EmethCore deployed and the requester funded for thousands
 * of jobs; sends {@code request} transactions as pre-signed raw transactions with increasing
 * nonces, in JSON-RPC batches, without waiting for receipts.
 */
public final class ChainFixture implements AutoCloseable {
    public static final BigInteger FEE = EmethRules.emt(20);
    public static final String PARAM = "{\"language\": \"en\", \"epoch\": 2}";
    public static final BigInteger GAS_LIMIT = BigInteger.valueOf(500_000);

    public final Anvil anvil;
    public final Web3j web3j;
    public final Deployment deployment;
    public final Credentials requester = DevAccounts.requester();
    private final EmethCore requesterCore;
    private final long chainId;

    private ChainFixture(Anvil anvil) throws Exception {
        this.anvil = anvil;
        this.web3j =
                Web3j.build(
                        new HttpService(
                                anvil.rpcUrl(),
                                new OkHttpClient.Builder()
                                        .readTimeout(2, TimeUnit.MINUTES)
                                        .build()));
        this.deployment = DevChain.deploy(web3j, DevAccounts.deployer(), DevAccounts.verifier());
        DevChain.fundDevAccounts(web3j, deployment, EmethRules.emt(1_000_000));
        this.requesterCore = DevChain.core(web3j, deployment, requester);
        this.chainId = web3j.ethChainId().send().getChainId().longValueExact();
        // one allowance for every job the ITs request
        DevChain.token(web3j, deployment, requester)
                .approve(deployment.coreAddress(), EmethRules.emt(1_000_000))
                .send();
    }

    public static ChainFixture start() throws Exception {
        Anvil anvil = Anvil.start(Anvil.Options.defaults());
        try {
            return new ChainFixture(anvil);
        } catch (Exception | AssertionError e) {
            anvil.close();
            throw e;
        }
    }

    /** The contract's state, read as the requester. */
    public EmethCoreReader reader() {
        return EmethCoreReader.of(web3j, deployment.coreAddress(), requester.getAddress());
    }

    /** The deployment's rates, read from the chain. */
    public ContractRates rates() throws IOException {
        return reader().rates();
    }

    /** A job to request: id, data set and param. */
    public record Job(String jobId, String dataset, String param) {
        public static Job random(String dataset) {
            return new Job(JobIds.random(), dataset, PARAM);
        }
    }

    /** The signed raw {@code request} transaction of {@code job} at {@code nonce}. */
    public String signedRequest(Job job, long nonce) throws Exception {
        return signedRequest(job, nonce, DevChain.latestTimestamp(web3j) + 86_400);
    }

    private String signedRequest(Job job, long nonce, long deadline) throws Exception {
        String data =
                requesterCore
                        .request(
                                JobIds.toBytes(job.jobId()),
                                BigInteger.ZERO,
                                job.dataset(),
                                job.param(),
                                FEE,
                                BigInteger.valueOf(deadline))
                        .encodeFunctionCall();
        RawTransaction tx =
                RawTransaction.createTransaction(
                        BigInteger.valueOf(nonce),
                        DevChain.GAS_PRICE,
                        GAS_LIMIT,
                        deployment.coreAddress(),
                        data);
        return Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, requester));
    }

    /** Requests every job, each in a block of its own; answers the transaction hashes. */
    public List<String> requestAll(List<Job> jobs) throws Exception {
        return requestAll(jobs, 1);
    }

    /**
     * Requests every job from the requester, {@code perBlock} in each block: pre-signed with
     * consecutive nonces, sent as one JSON-RPC batch per block with automine paused, then mined
     * (automine would batch whatever arrives while it mines). Answers the transaction hashes.
     */
    public List<String> requestAll(List<Job> jobs, int perBlock) throws Exception {
        List<String> signed = sign(jobs);
        List<String> hashes = new ArrayList<>();
        setAutomine(false);
        try {
            for (int i = 0; i < signed.size(); i += perBlock) {
                hashes.addAll(sendRaw(signed.subList(i, Math.min(signed.size(), i + perBlock))));
                mine(1);
            }
        } finally {
            setAutomine(true);
        }
        return hashes;
    }

    /** Sends the requests without mining them (with automine on, anvil mines as they arrive). */
    public List<String> send(List<Job> jobs) throws Exception {
        return sendRaw(sign(jobs));
    }

    /** Sends signed raw transactions as they are (in batches of 100); answers their hashes. */
    public List<String> sendRaw(List<String> signed) throws Exception {
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < signed.size(); i += 100) {
            BatchRequest batch = web3j.newBatch();
            for (String raw : signed.subList(i, Math.min(signed.size(), i + 100))) {
                batch.add(web3j.ethSendRawTransaction(raw));
            }
            BatchResponse answer = batch.send();
            for (Response<?> r : answer.getResponses()) {
                if (r.hasError()) {
                    throw new IOException("request failed: " + r.getError().getMessage());
                }
                hashes.add((String) r.getResult());
            }
        }
        return hashes;
    }

    private List<String> sign(List<Job> jobs) throws Exception {
        long nonce = nonce(requester.getAddress());
        long deadline = DevChain.latestTimestamp(web3j) + 86_400;
        List<String> signed = new ArrayList<>();
        for (Job job : jobs) {
            signed.add(signedRequest(job, nonce++, deadline));
        }
        return signed;
    }

    /** Requests one job and answers its transaction hash. */
    public String request(Job job) throws Exception {
        return requestAll(List.of(job)).get(0);
    }

    public long nonce(String account) throws IOException {
        return web3j.ethGetTransactionCount(account, DefaultBlockParameterName.PENDING)
                .send()
                .getTransactionCount()
                .longValueExact();
    }

    public long blockNumber() throws IOException {
        return web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    }

    public void mine(int blocks) throws IOException {
        call("anvil_mine", List.of(Numeric.toHexStringWithPrefix(BigInteger.valueOf(blocks))));
    }

    /** anvil_reorg: replaces the last {@code depth} blocks, putting {@code rawTxs} in the first. */
    public void reorg(int depth, List<String> rawTxs) throws IOException {
        reorgPlacing(depth, rawTxs.stream().map(raw -> new ReorgTx(raw, 0)).toList());
    }

    /** A signed raw transaction and the block of a reorg it goes into (0: the first new block). */
    public record ReorgTx(String rawTx, int blockOffset) {}

    /**
     * anvil_reorg: replaces the last {@code depth} blocks with as many new ones, each transaction
     * in the new block at its offset; what the old blocks held and is not given here is gone.
     */
    public void reorgPlacing(int depth, List<ReorgTx> txs) throws IOException {
        List<List<Object>> pairs = new ArrayList<>();
        txs.forEach(tx -> pairs.add(List.of(tx.rawTx(), tx.blockOffset())));
        call("anvil_reorg", List.of(depth, pairs));
    }

    /**
     * A signed transfer of 0 wei from the requester to itself at {@code nonce}: a transaction that
     * changes nothing but uses up the nonce, so that a reorg can make the request that had it
     * impossible to include again.
     */
    public String signedNoOp(long nonce) {
        return signedNoOp(requester, nonce);
    }

    /** The same no-op from {@code account}, to itself. */
    public String signedNoOp(Credentials account, long nonce) {
        RawTransaction tx =
                RawTransaction.createEtherTransaction(
                        BigInteger.valueOf(nonce),
                        DevChain.GAS_PRICE,
                        BigInteger.valueOf(21_000),
                        account.getAddress(),
                        BigInteger.ZERO);
        return Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, account));
    }

    public void setAutomine(boolean on) throws IOException {
        call("evm_setAutomine", List.of(on));
    }

    public EmethCore core(Credentials as) throws IOException {
        return DevChain.core(web3j, deployment, as);
    }

    /** Sends a JSON-RPC method web3j has no binding for. */
    @SuppressWarnings("unchecked")
    public Object call(String method, List<?> params) throws IOException {
        Request<Object, ?> request = (Request<Object, ?>) (Request<?, ?>) web3j.web3ClientVersion();
        request.setMethod(method);
        request.setParams((List<Object>) params);
        Response<?> response = request.send();
        if (response.hasError()) {
            throw new IOException(method + " failed: " + response.getError().getMessage());
        }
        return response.getResult();
    }

    @Override
    public void close() {
        web3j.shutdown();
        anvil.close();
    }
}
