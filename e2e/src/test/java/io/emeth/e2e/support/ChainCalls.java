package io.emeth.e2e.support;

import io.emeth.chain.it.ChainFixture;
import io.emeth.contracts.JobIds;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameterNumber;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The transactions on the chain's canonical blocks that call an EmethCore function for one job,
 * found by reading every block: what a user auditing the chain sees, independent of what the node
 * says it sent. For "exactly one {@code process} transaction" assertions.
 */
public final class ChainCalls {
    /** One mined call: its block, hash, sender and whether it succeeded. */
    public record Call(long block, String txHash, String from, boolean succeeded) {}

    private ChainCalls() {}

    /**
     * The calls of {@code function} (a Solidity signature whose first argument is the {@code
     * bytes16} job id, such as {@code process(bytes16)} or {@code submit(bytes16,string)}) for
     * {@code jobId} to the fixture's EmethCore, oldest first.
     */
    public static List<Call> of(ChainFixture chain, String function, String jobId)
            throws IOException {
        String prefix =
                (Hash.sha3String(function).substring(0, 10)
                                + Numeric.toHexStringNoPrefix(JobIds.toBytes(jobId))
                                + "0".repeat(32))
                        .toLowerCase(Locale.ROOT);
        String core = chain.deployment.coreAddress().toLowerCase(Locale.ROOT);
        List<Call> calls = new ArrayList<>();
        long head = chain.blockNumber();
        for (long n = 0; n <= head; n++) {
            EthBlock.Block block =
                    chain.web3j
                            .ethGetBlockByNumber(
                                    new DefaultBlockParameterNumber(BigInteger.valueOf(n)), true)
                            .send()
                            .getBlock();
            for (EthBlock.TransactionResult<?> result : block.getTransactions()) {
                Transaction tx = (Transaction) result.get();
                if (tx.getTo() != null
                        && tx.getTo().toLowerCase(Locale.ROOT).equals(core)
                        && tx.getInput().toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    calls.add(new Call(n, tx.getHash(), tx.getFrom(), succeeded(chain, tx)));
                }
            }
        }
        return calls;
    }

    private static boolean succeeded(ChainFixture chain, Transaction tx) throws IOException {
        TransactionReceipt receipt =
                chain.web3j
                        .ethGetTransactionReceipt(tx.getHash())
                        .send()
                        .getTransactionReceipt()
                        .orElseThrow(() -> new IOException("no receipt for mined " + tx.getHash()));
        return receipt.isStatusOK();
    }
}
