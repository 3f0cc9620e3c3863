package io.emeth.chain.gateway;

import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.chain.rpc.RpcException;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthGetBlockReceipts;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The account's receipts, collected per block: each new block's receipts are read once ({@code
 * eth_getBlockReceipts}, the new blocks of a poll in one JSON-RPC batch) and every receipt of the
 * account's transactions in it is kept, so a wave of transactions mined in one block costs one
 * call, not one per transaction. A transaction broadcast before the collector watched it (resumed
 * from the journal after a restart), a node without {@code eth_getBlockReceipts}, or a gap of more
 * than {@value #MAX_SCAN} blocks since the last scan fall back to {@code eth_getTransactionReceipt}
 * per transaction.
 */
final class BlockReceipts {
    private static final Logger log = LoggerFactory.getLogger(BlockReceipts.class);

    /** Blocks read in one scan; a longer gap is bridged by per-transaction lookups. */
    static final int MAX_SCAN = 64;

    private static final int REMEMBERED = 10_000;

    private final EthEndpoint endpoint;
    private final String account;

    /** Hashes broadcast since the scan start and not yet found, oldest first. */
    private final Map<String, Boolean> watched = bounded();

    /** Receipts of the account's transactions found in scanned blocks, by hash. */
    private final Map<String, TransactionReceipt> found = bounded();

    /** Blocks up to this one are collected; -1 before the first watched transaction. */
    private long scannedTo = -1;

    private boolean perBlock = true;
    private long blockCalls;

    BlockReceipts(EthEndpoint endpoint, String account) {
        this.endpoint = endpoint;
        this.account = account;
    }

    /** Called before {@code hash} is broadcast: its receipt will come from the block scan. */
    void watch(String hash) throws IOException {
        if (scannedTo < 0 || watched.isEmpty()) {
            // nothing outstanding: start at the head instead of walking blocks of no interest
            scannedTo = Math.max(scannedTo, head());
        }
        watched.put(hash, Boolean.TRUE);
    }

    /** The receipt of {@code hash}, if it is mined. */
    Optional<TransactionReceipt> receipt(String hash) throws IOException {
        TransactionReceipt r = found.get(hash);
        if (r == null && perBlock && watched.containsKey(hash)) {
            scan();
            r = found.get(hash);
        } else if (r == null) {
            r = perTx(hash).orElse(null);
        }
        if (r != null) {
            watched.remove(hash);
        }
        return Optional.ofNullable(r);
    }

    /** Forgets transactions whose command is settled (the variants that were never mined). */
    void forget(List<String> hashes) {
        hashes.forEach(watched::remove);
    }

    /** How many {@code eth_getBlockReceipts} calls were made (tests and logs). */
    long blockCalls() {
        return blockCalls;
    }

    private void scan() throws IOException {
        long head = head();
        if (head <= scannedTo) {
            return;
        }
        if (head - scannedTo > MAX_SCAN) {
            for (String hash : List.copyOf(watched.keySet())) {
                perTx(hash).ifPresent(r -> keep(r));
            }
            scannedTo = head;
            return;
        }
        List<Request<?, ? extends Response<?>>> requests = new ArrayList<>();
        for (long b = scannedTo + 1; b <= head; b++) {
            requests.add(
                    endpoint.web3j()
                            .ethGetBlockReceipts(
                                    DefaultBlockParameter.valueOf(BigInteger.valueOf(b))));
        }
        List<Response<?>> answers = endpoint.batch(requests);
        blockCalls += answers.size();
        for (Response<?> answer : answers) {
            EthGetBlockReceipts receipts = (EthGetBlockReceipts) answer;
            if (receipts.hasError()) {
                RpcException e =
                        new RpcException(
                                "eth_getBlockReceipts",
                                receipts.getError().getCode(),
                                receipts.getError().getMessage(),
                                receipts.getError().getData());
                if (e.code() == -32601
                        || e.rpcMessage().toLowerCase(Locale.ROOT).contains("method")) {
                    perBlock = false;
                    log.warn(
                            "The node has no eth_getBlockReceipts; receipts are read per"
                                    + " transaction [error:{}]",
                            e.rpcMessage());
                    return;
                }
                throw e;
            }
            Optional<List<TransactionReceipt>> block = receipts.getBlockReceipts();
            if (block.isEmpty()) {
                return; // the node does not serve this block yet: read it on the next poll
            }
            block.get().stream()
                    .filter(r -> account.equalsIgnoreCase(r.getFrom()))
                    .forEach(this::keep);
            scannedTo++;
        }
    }

    private void keep(TransactionReceipt r) {
        found.put(r.getTransactionHash(), r);
    }

    private Optional<TransactionReceipt> perTx(String hash) throws IOException {
        return endpoint.web3j().ethGetTransactionReceipt(hash).send().getTransactionReceipt();
    }

    private long head() throws IOException {
        return RpcException.checked(endpoint.web3j().ethBlockNumber().send(), "eth_blockNumber")
                .getBlockNumber()
                .longValueExact();
    }

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>() {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }
}
