package io.emeth.chain.gateway;

import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.chain.rpc.RpcException;
import io.emeth.schemas.avro.gateway.ChainAction;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Signs and sends the account's transactions: a local nonce (the gateway is the account's only
 * writer), EIP-1559 fees from the latest base fee, gas from {@code eth_estimateGas} with a margin,
 * and receipts. Signing is deterministic (RFC 6979), so a transaction rebuilt from what {@code
 * TxSent} recorded is the same transaction with the same hash.
 */
final class TxSender {
    /** Headroom over the estimate: state can change between estimate and inclusion. */
    static final int GAS_MARGIN_PERCENT = 25;

    private final EthEndpoint endpoint;
    private final Credentials credentials;
    private final long chainId;
    private final BlockReceipts receipts;
    private long nextNonce = -1;

    /** A signed transaction and what it was built from. */
    record Signed(Step step, long nonce, Fees fees, long gasLimit, String hash, String raw) {}

    /** What the node said to a raw transaction. */
    enum Sent {
        ACCEPTED,
        /** The node already had it (a rebroadcast). */
        KNOWN,
        /** The nonce was used by a mined transaction. */
        NONCE_USED
    }

    /** The node refused the transaction for a reason other than its nonce. */
    static final class RejectedException extends IOException {
        private static final long serialVersionUID = 1L;

        RejectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The call would revert: eth_estimateGas failed with a revert. */
    static final class WouldRevertException extends IOException {
        private static final long serialVersionUID = 1L;

        WouldRevertException(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    TxSender(EthEndpoint endpoint, Credentials credentials) throws IOException {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.chainId = web3j().ethChainId().send().getChainId().longValueExact();
        this.receipts = new BlockReceipts(endpoint, credentials.getAddress());
    }

    String account() {
        return credentials.getAddress();
    }

    /** The next nonce to use; read from the node (pending) the first time and after a resync. */
    long nextNonce() throws IOException {
        if (nextNonce < 0) {
            nextNonce = transactionCount(DefaultBlockParameterName.PENDING);
        }
        return nextNonce;
    }

    /** Records that {@code nonce} is taken, so the next send uses a later one. */
    void nonceUsed(long nonce) throws IOException {
        nextNonce = Math.max(nextNonce(), nonce + 1);
    }

    /** Forgets the local nonce; the next one is read from the node again. */
    void resyncNonce() {
        nextNonce = -1;
    }

    /** Transactions of the account mined so far (the next nonce a block can include). */
    long minedNonce() throws IOException {
        return transactionCount(DefaultBlockParameterName.LATEST);
    }

    /** Fees a first send would use now. */
    Fees currentFees() throws IOException {
        EthBlock.Block latest =
                RpcException.result(
                        web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send(),
                        "eth_getBlockByNumber latest");
        BigInteger base = latest.getBaseFeePerGas();
        if (base == null) {
            base = RpcException.checked(web3j().ethGasPrice().send(), "eth_gasPrice").getGasPrice();
        }
        BigInteger tip;
        try {
            tip =
                    RpcException.checked(
                                    web3j().ethMaxPriorityFeePerGas().send(),
                                    "eth_maxPriorityFeePerGas")
                            .getMaxPriorityFeePerGas();
        } catch (RpcException unsupported) {
            tip = null;
        }
        return Fees.initial(base, tip);
    }

    /**
     * The gas limit for {@code step}: the node's estimate plus {@value #GAS_MARGIN_PERCENT} %.
     *
     * @throws WouldRevertException with the revert reason when the call would revert now
     */
    long gasLimit(Step step) throws IOException {
        try {
            BigInteger estimate =
                    RpcException.checked(
                                    web3j().ethEstimateGas(
                                                    Transaction.createEthCallTransaction(
                                                            account(), step.to(), step.data()))
                                            .send(),
                                    "eth_estimateGas " + step.action())
                            .getAmountUsed();
            return withMargin(estimate);
        } catch (RpcException e) {
            if (RevertReasons.isRevert(e)) {
                throw new WouldRevertException(RevertReasons.of(e), e);
            }
            throw e;
        }
    }

    /**
     * Checks that {@code step} would not revert now: one {@code eth_call} at the latest block, a
     * single execution where {@code eth_estimateGas} searches over several (for a command whose gas
     * limit is known from an estimate of the same call shape).
     *
     * @throws WouldRevertException with the revert reason when the call would revert now
     */
    void checkCall(Step step) throws IOException {
        EthCall call =
                web3j().ethCall(
                                Transaction.createEthCallTransaction(
                                        account(), step.to(), step.data()),
                                DefaultBlockParameterName.LATEST)
                        .send();
        if (call.hasError()) {
            RpcException e =
                    new RpcException(
                            "eth_call " + step.action(),
                            call.getError().getCode(),
                            call.getError().getMessage(),
                            call.getError().getData());
            if (RevertReasons.isRevert(e)) {
                throw new WouldRevertException(RevertReasons.of(e), e);
            }
            throw e;
        }
    }

    /** A gas limit from the node's estimate: plus {@value #GAS_MARGIN_PERCENT} %. */
    static long withMargin(BigInteger estimate) {
        return estimate.multiply(BigInteger.valueOf(100 + GAS_MARGIN_PERCENT))
                .divide(BigInteger.valueOf(100))
                .longValueExact();
    }

    Signed sign(Step step, long nonce, Fees fees, long gasLimit) {
        RawTransaction tx =
                RawTransaction.createTransaction(
                        chainId,
                        BigInteger.valueOf(nonce),
                        BigInteger.valueOf(gasLimit),
                        step.to(),
                        BigInteger.ZERO,
                        step.data(),
                        fees.maxPriorityFeePerGas(),
                        fees.maxFeePerGas());
        String raw = Numeric.toHexString(TransactionEncoder.signMessage(tx, credentials));
        return new Signed(step, nonce, fees, gasLimit, Hash.sha3(raw), raw);
    }

    /** A 0-value transfer to the account itself at {@code nonce}: fills a nonce left unused. */
    Signed signFiller(long nonce, Fees fees) {
        Step step = new Step(ChainAction.DECLINE_JOB, account(), "0x");
        RawTransaction tx =
                RawTransaction.createTransaction(
                        chainId,
                        BigInteger.valueOf(nonce),
                        BigInteger.valueOf(21_000),
                        account(),
                        BigInteger.ZERO,
                        "0x",
                        fees.maxPriorityFeePerGas(),
                        fees.maxFeePerGas());
        String raw = Numeric.toHexString(TransactionEncoder.signMessage(tx, credentials));
        return new Signed(step, nonce, fees, 21_000, Hash.sha3(raw), raw);
    }

    /**
     * Sends a signed transaction.
     *
     * @throws RejectedException with the node's reason when it refuses it (funds, fees, …)
     */
    Sent send(Signed tx) throws IOException {
        receipts.watch(tx.hash());
        EthSendTransaction answer = web3j().ethSendRawTransaction(tx.raw()).send();
        if (!answer.hasError()) {
            return Sent.ACCEPTED;
        }
        String message = answer.getError().getMessage();
        String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (lower.contains("already known")
                || lower.contains("already imported")
                || lower.contains("known transaction")) {
            return Sent.KNOWN;
        }
        if (lower.contains("nonce too low") || lower.contains("nonce is too low")) {
            return Sent.NONCE_USED;
        }
        throw new RejectedException(
                "the node refused "
                        + tx.step().action()
                        + " (nonce "
                        + tx.nonce()
                        + "): "
                        + message,
                null);
    }

    /** The receipt of {@code hash} if it is mined, from the per-block collection. */
    Optional<TransactionReceipt> receipt(String hash) throws IOException {
        return receipts.receipt(hash);
    }

    /** How many eth_getBlockReceipts calls the collector made (tests). */
    long blockCallsForTests() {
        return receipts.blockCalls();
    }

    /** The command of these transactions is settled: the collector stops looking for them. */
    void settled(java.util.List<Signed> variants) {
        receipts.forget(variants.stream().map(Signed::hash).toList());
    }

    /** Whether the node knows the transaction (pending or mined). */
    boolean known(String hash) throws IOException {
        return web3j().ethGetTransactionByHash(hash).send().getTransaction().isPresent();
    }

    /** Why a mined transaction reverted: the call replayed on the state before its block. */
    String revertReason(Step step, TransactionReceipt receipt) {
        try {
            BigInteger parent =
                    receipt.getBlockNumber().subtract(BigInteger.ONE).max(BigInteger.ZERO);
            EthCall call =
                    web3j().ethCall(
                                    Transaction.createEthCallTransaction(
                                            account(), step.to(), step.data()),
                                    DefaultBlockParameter.valueOf(parent))
                            .send();
            if (call.hasError()) {
                return RevertReasons.of(
                        new RpcException(
                                "eth_call",
                                call.getError().getCode(),
                                call.getError().getMessage(),
                                call.getError().getData()));
            }
            String reason = RevertReasons.decode(call.getValue());
            return reason != null
                    ? reason
                    : "reverted; replaying the call did not revert"
                            + " (the state it depended on changed in its block)";
        } catch (IOException | RuntimeException e) {
            return "reverted; the reason could not be read: " + e.getMessage();
        }
    }

    private long transactionCount(DefaultBlockParameterName block) throws IOException {
        return RpcException.checked(
                        web3j().ethGetTransactionCount(account(), block).send(),
                        "eth_getTransactionCount " + block)
                .getTransactionCount()
                .longValueExact();
    }

    private Web3j web3j() {
        return endpoint.web3j();
    }
}
