package io.emeth.e2e.bench;

import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import io.emeth.deploy.demo.DemoRequester;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.FastRawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Numeric;

/**
 * The load drill's requester (dev account 4): puts one data set per job on the storage dev server
 * (through the demo requester's upload), approves the fees of all jobs at once, then sends each
 * {@code request} with a locally counted nonce. On a chain that mines every transaction at once,
 * {@code request} returns with its receipt.
 */
final class LoadRequester {
    /** Above the master's 4 KiB minimum, below 1 MB: the smallest estimated gas (5). */
    static final int DATASET_BYTES = 8_192;

    /** Fees are drawn from [10, 12) EMT, inside the master's default window [10, 30]. */
    static final BigInteger MIN_FEE = EmethRules.emt(10);

    static final BigInteger MAX_FEE = EmethRules.emt(12);

    private static final Logger log = LoggerFactory.getLogger(LoadRequester.class);
    private static final String PARAM = "{\"language\": \"en\", \"epoch\": 1}";

    /** One job to request. */
    record Job(String jobId, String dataset, BigInteger fee) {}

    private final Web3j web3j;
    private final DevChain.Deployment deployment;
    private final DemoRequester uploader;
    private final Credentials requester = DevAccounts.requester();
    private final TransactionManager transactions;

    LoadRequester(Web3j web3j, DevChain.Deployment deployment, DemoRequester uploader)
            throws Exception {
        this.web3j = web3j;
        this.deployment = deployment;
        this.uploader = uploader;
        long chainId = web3j.ethChainId().send().getChainId().longValueExact();
        this.transactions =
                new FastRawTransactionManager(
                        web3j,
                        requester,
                        chainId,
                        new PollingTransactionReceiptProcessor(web3j, 20, 3_000));
    }

    /** Creates {@code count} jobs and uploads their data sets. */
    List<Job> prepare(int count, String run) throws Exception {
        Random random = new Random(42);
        List<Job> jobs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String jobId = JobIds.random();
            String dataset = "load-" + run + "-" + i + ".txt";
            BigInteger fee =
                    MIN_FEE.add(
                            BigInteger.valueOf(random.nextInt(2_000))
                                    .multiply(BigInteger.TEN.pow(15)));
            uploader.upload(dataset, jobId, dataset(i));
            jobs.add(new Job(jobId, dataset, fee));
        }
        return jobs;
    }

    /**
     * Mints what the requester (fees) and the node (deposits, held while jobs stay SUBMITTED) lack
     * for {@code jobs} jobs, then approves the fees of all of them in one transaction.
     */
    void fund(int jobs, String node) throws Exception {
        BigInteger need = MAX_FEE.multiply(BigInteger.valueOf(jobs));
        for (String account : List.of(requester.getAddress(), node)) {
            BigInteger balance = DevChain.emtBalance(web3j, deployment.tokenAddress(), account);
            if (balance.compareTo(need) < 0) {
                DevChain.mint(
                        web3j,
                        DevAccounts.deployer(),
                        deployment.tokenAddress(),
                        account,
                        need.subtract(balance));
            }
        }
        TransactionReceipt approved =
                EmethToken.load(
                                deployment.tokenAddress(),
                                web3j,
                                transactions,
                                DevChain.gasProvider())
                        .approve(deployment.coreAddress(), need)
                        .send();
        require(approved, "approve of " + need + " wei for " + jobs + " jobs");
    }

    /** Requests {@code job} with a deadline one day after {@code nowSeconds}. */
    void request(Job job, long nowSeconds) throws Exception {
        EmethCore core =
                EmethCore.load(
                        deployment.coreAddress(), web3j, transactions, DevChain.gasProvider());
        TransactionReceipt receipt =
                core.request(
                                JobIds.toBytes(job.jobId()),
                                BigInteger.ZERO,
                                job.dataset(),
                                PARAM,
                                job.fee(),
                                BigInteger.valueOf(nowSeconds + 24 * 3600))
                        .send();
        require(receipt, "request of job " + job.jobId());
        log.debug("Requested job [jobId:{}, fee:{}]", job.jobId(), job.fee());
    }

    /**
     * Requests every job at once: each {@code request} signed with the next nonce, all sent one
     * after the other without waiting for a receipt (the drill sees each one mined on the chain),
     * so that the requester does not pace a burst by its own round trips.
     */
    void requestAll(List<Job> jobs, long nowSeconds) throws Exception {
        long chainId = web3j.ethChainId().send().getChainId().longValueExact();
        long nonce =
                web3j.ethGetTransactionCount(
                                requester.getAddress(), DefaultBlockParameterName.PENDING)
                        .send()
                        .getTransactionCount()
                        .longValueExact();
        EmethCore core =
                EmethCore.load(
                        deployment.coreAddress(), web3j, transactions, DevChain.gasProvider());
        List<String> signed = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            String data =
                    core.request(
                                    JobIds.toBytes(job.jobId()),
                                    BigInteger.ZERO,
                                    job.dataset(),
                                    PARAM,
                                    job.fee(),
                                    BigInteger.valueOf(nowSeconds + 24 * 3600))
                            .encodeFunctionCall();
            RawTransaction tx =
                    RawTransaction.createTransaction(
                            BigInteger.valueOf(nonce++),
                            DevChain.GAS_PRICE,
                            DevChain.GAS_LIMIT,
                            deployment.coreAddress(),
                            data);
            signed.add(Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, requester)));
        }
        // one by one in nonce order: anvil answers a JSON-RPC batch's items concurrently, and a
        // nonce arriving after its successors was seen to stay missing (the rest queued forever)
        for (String raw : signed) {
            EthSendTransaction sent = web3j.ethSendRawTransaction(raw).send();
            if (sent.hasError()) {
                throw new IllegalStateException(
                        "a request was refused: " + sent.getError().getMessage());
            }
        }
    }

    private static void require(TransactionReceipt receipt, String what) {
        if (!receipt.isStatusOK()) {
            throw new IllegalStateException(
                    what + " reverted in tx " + receipt.getTransactionHash());
        }
    }

    /** Text of the data set of job {@code i}: repeated English, exactly DATASET_BYTES long. */
    private static byte[] dataset(int i) {
        StringBuilder text = new StringBuilder(DATASET_BYTES + 100);
        while (text.length() < DATASET_BYTES) {
            text.append("Load drill job ")
                    .append(i)
                    .append(": the node trains a small model on this text. ");
        }
        return text.substring(0, DATASET_BYTES).getBytes(StandardCharsets.US_ASCII);
    }
}
