package io.emeth.contracts.dev;

import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.Transfer;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Convert;

/**
 * Deploys and funds the contracts on a development chain (anvil) and moves its clock.
 *
 * <p>Consumes a {@link Web3j} connected to the chain and dev credentials ({@link DevAccounts});
 * produces a {@link Deployment} with the addresses every component's config needs. Used by the
 * contract ITs and {@code emeth dev up}; a real network gets its contracts from elsewhere.
 */
public final class DevChain {
    /** Legacy gas price high enough for anvil's base fee (1 gwei at genesis, falling after). */
    public static final BigInteger GAS_PRICE =
            Convert.toWei("20", Convert.Unit.GWEI).toBigInteger();

    /** Below anvil's 30M block limit and EIP-7825's 16.7M per-transaction cap. */
    public static final BigInteger GAS_LIMIT = BigInteger.valueOf(8_000_000);

    private static final Logger log = LoggerFactory.getLogger(DevChain.class);
    private static final long RECEIPT_POLL_MS = 100;
    private static final int RECEIPT_POLL_ATTEMPTS = 1200;

    /** Where the contracts live on the chain and who verifies. */
    public record Deployment(String tokenAddress, String coreAddress, String verifierAddress) {}

    private DevChain() {}

    /**
     * Deploys EMT and EmethCore from {@code deployer}, hands the verifier role (which the network's
     * constructor gives the deployer) to {@code verifier} through {@code setVerifier}, and grants
     * EmethCore the token's minter role so that it can mint slot rewards.
     */
    public static Deployment deploy(Web3j web3j, Credentials deployer, Credentials verifier)
            throws Exception {
        TransactionManager tx = transactionManager(web3j, deployer);
        EmethToken token = EmethToken.deploy(web3j, tx, gasProvider()).send();
        EmethCore core =
                EmethCore.deploy(web3j, tx, gasProvider(), token.getContractAddress()).send();
        // always through setVerifier, even when the deployer verifies, as an operator would
        core.setVerifier(verifier.getAddress()).send();
        token.grantRole(token.MINTER_ROLE().send(), core.getContractAddress()).send();
        Deployment deployment =
                new Deployment(
                        token.getContractAddress(),
                        core.getContractAddress(),
                        verifier.getAddress());
        log.info(
                "Deployed contracts [token:{}, core:{}, verifier:{}]",
                deployment.tokenAddress(),
                deployment.coreAddress(),
                deployment.verifierAddress());
        return deployment;
    }

    /** Mints {@code emtWei} to the dev master, both workers and the requester (accounts 1..4). */
    public static void fundDevAccounts(Web3j web3j, Deployment deployment, BigInteger emtWei)
            throws Exception {
        Credentials deployer = DevAccounts.deployer();
        for (int index = 1; index <= 4; index++) {
            mint(
                    web3j,
                    deployer,
                    deployment.tokenAddress(),
                    DevAccounts.get(index).address(),
                    emtWei);
        }
    }

    /** Mints {@code emtWei} EMT to {@code to}; {@code minter} must hold the minter role. */
    public static TransactionReceipt mint(
            Web3j web3j, Credentials minter, String tokenAddress, String to, BigInteger emtWei)
            throws Exception {
        TransactionReceipt receipt = token(web3j, tokenAddress, minter).mint(to, emtWei).send();
        log.info("Minted EMT [to:{}, wei:{}, tx:{}]", to, emtWei, receipt.getTransactionHash());
        return receipt;
    }

    /** Mints {@code emtWei} EMT to {@code to} and sends it {@code ethWei} ETH (either may be 0). */
    public static void fund(
            Web3j web3j,
            Credentials deployer,
            Deployment deployment,
            String to,
            BigInteger emtWei,
            BigInteger ethWei)
            throws Exception {
        if (emtWei.signum() > 0) {
            mint(web3j, deployer, deployment.tokenAddress(), to, emtWei);
        }
        if (ethWei.signum() > 0) {
            sendEth(web3j, deployer, to, ethWei);
        }
    }

    /** Sends {@code ethWei} wei of ETH from {@code from} to {@code to}. */
    public static TransactionReceipt sendEth(
            Web3j web3j, Credentials from, String to, BigInteger ethWei) throws Exception {
        return new Transfer(web3j, transactionManager(web3j, from))
                .sendFunds(to, new BigDecimal(ethWei), Convert.Unit.WEI, GAS_PRICE, GAS_LIMIT)
                .send();
    }

    /** Moves the chain's clock forward and mines a block so that the new time is visible. */
    public static void increaseTime(Web3j web3j, long seconds) throws IOException {
        if (seconds < 0) {
            throw new IllegalArgumentException(
                    "cannot move the chain clock back: " + seconds + " s");
        }
        call(web3j, "evm_increaseTime", List.of(seconds));
        mine(web3j);
    }

    /** Mines one block now (anvil's {@code evm_mine}). */
    public static void mine(Web3j web3j) throws IOException {
        call(web3j, "evm_mine", List.of());
    }

    /** The EMT balance of {@code account} in wei. */
    public static BigInteger emtBalance(Web3j web3j, String tokenAddress, String account)
            throws Exception {
        return EmethToken.load(
                        tokenAddress,
                        web3j,
                        new ReadonlyTransactionManager(web3j, account),
                        gasProvider())
                .balanceOf(account)
                .send();
    }

    /** The ETH balance of {@code account} in wei at the latest block. */
    public static BigInteger ethBalance(Web3j web3j, String account) throws IOException {
        return web3j.ethGetBalance(account, DefaultBlockParameterName.LATEST).send().getBalance();
    }

    /** The latest block's timestamp, the contract's notion of "now". */
    public static long latestTimestamp(Web3j web3j) throws IOException {
        return web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
                .send()
                .getBlock()
                .getTimestamp()
                .longValueExact();
    }

    /** An EmethCore wrapper at the deployment's address sending from {@code credentials}. */
    public static EmethCore core(Web3j web3j, Deployment deployment, Credentials credentials)
            throws IOException {
        return EmethCore.load(
                deployment.coreAddress(),
                web3j,
                transactionManager(web3j, credentials),
                gasProvider());
    }

    /** An EMT wrapper at the deployment's address sending from {@code credentials}. */
    public static EmethToken token(Web3j web3j, Deployment deployment, Credentials credentials)
            throws IOException {
        return token(web3j, deployment.tokenAddress(), credentials);
    }

    /**
     * Signs locally with the chain's id (EIP-155) and polls receipts every 100 ms (web3j's default
     * is 15 s, far too slow for a chain that mines instantly).
     */
    public static TransactionManager transactionManager(Web3j web3j, Credentials credentials)
            throws IOException {
        long chainId = web3j.ethChainId().send().getChainId().longValueExact();
        return new RawTransactionManager(
                web3j,
                credentials,
                chainId,
                new PollingTransactionReceiptProcessor(
                        web3j, RECEIPT_POLL_MS, RECEIPT_POLL_ATTEMPTS));
    }

    /** Fixed legacy gas price and limit: dev chains need no estimation. */
    public static ContractGasProvider gasProvider() {
        return new StaticGasProvider(GAS_PRICE, GAS_LIMIT);
    }

    private static EmethToken token(Web3j web3j, String tokenAddress, Credentials credentials)
            throws IOException {
        return EmethToken.load(
                tokenAddress, web3j, transactionManager(web3j, credentials), gasProvider());
    }

    /**
     * Sends a JSON-RPC method web3j has no binding for. {@link Web3j} does not expose its
     * transport, so a request it built is re-targeted; its String result type accepts the numbers
     * and hex strings anvil's methods answer with.
     */
    @SuppressWarnings("unchecked")
    private static void call(Web3j web3j, String method, List<?> params) throws IOException {
        Request<Object, ?> request = (Request<Object, ?>) (Request<?, ?>) web3j.web3ClientVersion();
        request.setMethod(method);
        request.setParams((List<Object>) params);
        Response<?> response = request.send();
        if (response.hasError()) {
            throw new IOException(
                    method + " failed: " + response.getError().getMessage() + " (is this anvil?)");
        }
    }
}
