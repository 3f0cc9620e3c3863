package io.emeth.chain.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.contracts.dev.DevAccounts;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The gateway's receipts are collected per block against anvil: three transactions mined in one
 * block are all settled by one {@code eth_getBlockReceipts}, and a transaction the collector did
 * not watch (resumed from the journal after a restart) is none while pending and found once mined.
 */
class GatewayBlockReceiptsIT {
    private static final Credentials ACCOUNT = DevAccounts.master();

    private static ChainFixture chain;
    private static EthEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        chain = ChainFixture.start();
        endpoint =
                EthEndpoint.connect(
                        URI.create(chain.anvil.rpcUrl()),
                        Duration.ofMillis(100),
                        Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void shouldSettleThreeTransactionsOfOneBlockWithOneBlockReceiptsCall() throws Exception {
        // Given three transactions of the account broadcast while the chain stands still
        TxSender sender = new TxSender(endpoint, ACCOUNT);
        chain.setAutomine(false);
        List<TxSender.Signed> txs = new ArrayList<>();
        try {
            Fees fees = sender.currentFees();
            long nonce = sender.nextNonce();
            for (int i = 0; i < 3; i++) {
                TxSender.Signed tx = sender.signFiller(nonce + i, fees);
                assertThat(sender.send(tx)).isEqualTo(TxSender.Sent.ACCEPTED);
                txs.add(tx);
            }
            assertThat(sender.receipt(txs.get(0).hash())).isEmpty();

            // When one block mines them
            chain.mine(1);
        } finally {
            chain.setAutomine(true);
        }

        // Then all three receipts come from that block's one eth_getBlockReceipts
        long block = chain.blockNumber();
        long before = sender.blockCallsForTests();
        for (TxSender.Signed tx : txs) {
            TransactionReceipt r = sender.receipt(tx.hash()).orElseThrow();
            assertThat(r.getBlockNumber().longValueExact()).isEqualTo(block);
            assertThat(r.isStatusOK()).isTrue();
        }
        assertThat(sender.blockCallsForTests() - before).isEqualTo(1);
    }

    @Test
    void shouldFindTheReceiptOfATransactionItDidNotWatch() throws Exception {
        // Given a transaction sent by an earlier gateway (another sender object), pending while
        // the chain stands still: the test mines it (with automine on, anvil answers the send
        // once the transaction is in its pool and mines it a moment later, so "mined when the
        // send returns" does not hold under load)
        TxSender earlier = new TxSender(endpoint, ACCOUNT);
        TxSender restarted;
        TxSender.Signed tx;
        long block;
        chain.setAutomine(false);
        try {
            tx = earlier.signFiller(earlier.nextNonce(), earlier.currentFees());
            assertThat(earlier.send(tx)).isEqualTo(TxSender.Sent.ACCEPTED);

            // When a new gateway looks for its receipt (as when it resumes from the journal)
            restarted = new TxSender(endpoint, ACCOUNT);

            // Then it has none while the transaction is pending
            assertThat(restarted.receipt(tx.hash())).isEmpty();

            // When a block mines it
            chain.mine(1);
            block = chain.blockNumber();
        } finally {
            chain.setAutomine(true);
        }

        // Then the new gateway finds it by hash, in that block
        assertThat(restarted.receipt(tx.hash()))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.getTransactionHash()).isEqualTo(tx.hash());
                            assertThat(r.getBlockNumber().longValueExact()).isEqualTo(block);
                        });
    }
}
