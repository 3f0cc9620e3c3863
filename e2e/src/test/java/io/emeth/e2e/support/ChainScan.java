package io.emeth.e2e.support;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Transaction;

/**
 * Every transaction the chain holds to one contract, found by reading every block: the ground truth
 * a drill counts, independent of what the node says it sent.
 */
public final class ChainScan {
    private ChainScan() {}

    /** The mined transactions to {@code contract}, oldest first, reverted ones included. */
    public static List<Transaction> callsTo(Web3j web3j, String contract) throws IOException {
        long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
        List<Transaction> calls = new ArrayList<>();
        for (long n = 0; n <= head; n++) {
            EthBlock.Block block =
                    web3j.ethGetBlockByNumber(
                                    DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), true)
                            .send()
                            .getBlock();
            for (EthBlock.TransactionResult<?> result : block.getTransactions()) {
                Transaction tx = (Transaction) result.get();
                if (tx.getTo() != null && tx.getTo().equalsIgnoreCase(contract)) {
                    calls.add(tx);
                }
            }
        }
        return calls;
    }

    /**
     * The calls whose input starts with {@code calldataPrefix} (selector and leading arguments).
     */
    public static List<Transaction> withInputPrefix(
            List<Transaction> calls, String calldataPrefix) {
        String prefix = calldataPrefix.toLowerCase(Locale.ROOT);
        return calls.stream()
                .filter(tx -> tx.getInput().toLowerCase(Locale.ROOT).startsWith(prefix))
                .toList();
    }
}
