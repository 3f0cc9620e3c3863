package io.emeth.chain.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.ChildJvm;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.GatewayMain;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.gateway.TxConfirmed;
import io.emeth.schemas.avro.gateway.TxJournal;
import io.emeth.schemas.avro.gateway.TxSent;
import java.math.BigInteger;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Transaction;

/**
 * The gateway's journal across crashes: a gateway process halted right after journaling a
 * transaction (before broadcasting it), right after broadcasting it (before its receipt), or right
 * after its receipt (before the outcome is recorded) is restarted, and the command has exactly one
 * effect on chain, one outcome, and a journal entry holding the transaction and the outcome; the
 * same command published again to the restarted gateway is answered from the journal.
 */
class GatewayJournalIT {
    private static final Credentials NODE = DevAccounts.master();
    private static final String ACCOUNT = DevAccounts.get(1).address();

    private static ChainFixture chain;

    @BeforeAll
    static void startChain() throws Exception {
        chain = ChainFixture.start();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void shouldSubmitOnceWhenHaltedAfterJournalingBeforeBroadcast() throws Exception {
        shouldSubmitOnceWhenHaltedAt("journaled");
    }

    @Test
    void shouldSubmitOnceWhenHaltedAfterBroadcastBeforeTheReceipt() throws Exception {
        shouldSubmitOnceWhenHaltedAt("broadcast");
    }

    @Test
    void shouldSubmitOnceWhenHaltedAfterTheReceiptBeforeTheOutcome() throws Exception {
        shouldSubmitOnceWhenHaltedAt("receipt");
    }

    private void shouldSubmitOnceWhenHaltedAt(String point) throws Exception {
        // Given a job the node processes, and a gateway process that halts at the point
        Topics topics = KafkaFixture.topics("gw-halt-" + point);
        Job job = processedJob();
        long from = chain.blockNumber();
        ChainCommand submit =
                ChainCommand.newBuilder()
                        .setCommandId("submit-" + job.jobId())
                        .setAccount(ACCOUNT)
                        .setIssuedAt(Instant.now())
                        .setPayload(
                                SubmitResult.newBuilder()
                                        .setJobId(job.jobId())
                                        .setResultFileName("model-" + job.jobId() + ".zip")
                                        .build())
                        .build();
        var config = Configs.gateway(chain, topics, Duration.ofMinutes(5));
        try (ChildJvm gateway =
                ChildJvm.start(
                        GatewayMain.class,
                        GatewayMain.toProperties(config),
                        "gateway-halt-" + point,
                        List.of("-D" + CommandHandler.HALT_AT_PROPERTY + "=" + point))) {
            // When the submit is published and the gateway halts there
            KafkaFixture.publish(topics.chainCommands(), ACCOUNT, submit);
            assertThat(gateway.awaitExit(120, TimeUnit.SECONDS))
                    .as("the gateway halted at %s", point)
                    .isTrue();
            assertThat(Files.readString(gateway.log())).contains("Halting at '" + point + "'");
        }
        assertThat(journal(topics, submit.getCommandId()).getTxs()).hasSize(1);
        assertThat(journal(topics, submit.getCommandId()).getOutcome()).isNull();

        // and a gateway is started again, and the same command is published once more
        try (ChildJvm restarted =
                ChildJvm.start(
                        GatewayMain.class, GatewayMain.toProperties(config), "gateway-resumed")) {
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> results(topics, submit.getCommandId()).size() == 2);
            assertThat(Files.readString(restarted.log())).contains("Resuming a command");
            KafkaFixture.publish(topics.chainCommands(), ACCOUNT, submit);
            await().atMost(Duration.ofSeconds(120))
                    .until(
                            () ->
                                    Files.readString(restarted.log())
                                            .contains("Skipped a command the journal holds"));
        }

        // Then exactly one submit is on chain, confirmed once, and journaled with its outcome
        List<ChainTxResult> results = results(topics, submit.getCommandId());
        assertThat(results)
                .extracting(ChainTxResult::getPayload)
                .hasExactlyElementsOfTypes(TxSent.class, TxConfirmed.class);
        String hash = ((TxSent) results.get(0).getPayload()).getTxHash();
        assertThat(((TxConfirmed) results.get(1).getPayload()).getTxHash()).isEqualTo(hash);
        TxJournal entry = journal(topics, submit.getCommandId());
        assertThat(entry.getTxs())
                .singleElement()
                .satisfies(t -> assertThat(t.getTxHash()).isEqualTo(hash));
        assertThat(entry.getOutcome().getPayload()).isInstanceOf(TxConfirmed.class);
        assertThat(calls(from, "submit(bytes16,string)")).isEqualTo(1);
        assertThat(chain.reader().job(job.jobId()).statusCode().intValueExact())
                .isEqualTo(JobStatus.SUBMITTED.code());
    }

    @Test
    void shouldApproveOnceAtStartWhenHaltedAfterJournalingTheTopUp() throws Exception {
        // Given an account with no allowance, and a gateway process that tops it up at start to
        // deposits of the highest fee and halts once the approve is journaled, before broadcast
        Topics topics = KafkaFixture.topics("gw-halt-top-up");
        DevChain.token(chain.web3j, chain.deployment, NODE)
                .approve(chain.deployment.coreAddress(), BigInteger.ZERO)
                .send();
        long from = chain.blockNumber() + 1; // after the reset above
        BigInteger maxFee = ChainFixture.FEE.multiply(BigInteger.TWO);
        var config =
                Configs.gateway(chain, topics, Duration.ofMinutes(5)).withStartAllowanceFee(maxFee);
        String topUp = CommandHandler.startTopUpId(ACCOUNT);
        try (ChildJvm gateway =
                ChildJvm.start(
                        GatewayMain.class,
                        GatewayMain.toProperties(config),
                        "gateway-halt-top-up",
                        List.of("-D" + CommandHandler.HALT_AT_PROPERTY + "=journaled"))) {
            // When it halts there, before any command was published
            assertThat(gateway.awaitExit(120, TimeUnit.SECONDS)).as("halted").isTrue();
        }
        assertThat(journal(topics, topUp).getTxs()).hasSize(1);
        assertThat(journal(topics, topUp).getOutcome()).isNull();
        assertThat(chain.reader().allowance(ACCOUNT)).isZero();

        // and a gateway is started again, then once more
        try (ChildJvm restarted =
                ChildJvm.start(
                        GatewayMain.class,
                        GatewayMain.toProperties(config),
                        "gateway-top-up-resumed")) {
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> journal(topics, topUp).getOutcome() != null);
            assertThat(Files.readString(restarted.log())).contains("Resuming a command");
        }
        try (ChildJvm again =
                ChildJvm.start(
                        GatewayMain.class,
                        GatewayMain.toProperties(config),
                        "gateway-top-up-again")) {
            await().atMost(Duration.ofSeconds(120))
                    .until(
                            () ->
                                    Files.readString(again.log())
                                            .contains("No allowance top-up at start"));
        }

        // Then the journaled approve was broadcast as it was, once: one approve on chain, of 20
        // deposits of the highest fee, journaled with its outcome; the second restart sent nothing
        List<ChainTxResult> results = results(topics, topUp);
        assertThat(results)
                .extracting(ChainTxResult::getPayload)
                .hasExactlyElementsOfTypes(TxSent.class, TxConfirmed.class);
        TxJournal entry = journal(topics, topUp);
        assertThat(entry.getTxs())
                .singleElement()
                .satisfies(
                        t ->
                                assertThat(t.getTxHash())
                                        .isEqualTo(
                                                ((TxConfirmed) results.get(1).getPayload())
                                                        .getTxHash()));
        assertThat(entry.getOutcome().getPayload()).isInstanceOf(TxConfirmed.class);
        assertThat(calls(from, "approve(address,uint256)")).isEqualTo(1);
        assertThat(chain.reader().allowance(ACCOUNT))
                .isEqualTo(chain.rates().deposit(maxFee).multiply(BigInteger.valueOf(20)));
    }

    /** A requested job the node has taken on chain (approve + process sent directly). */
    private static Job processedJob() throws Exception {
        Job job = Job.random("corpus.txt");
        chain.request(job);
        DevChain.token(chain.web3j, chain.deployment, NODE)
                .approve(chain.deployment.coreAddress(), chain.rates().deposit(ChainFixture.FEE))
                .send();
        chain.core(NODE).process(JobIds.toBytes(job.jobId())).send();
        return job;
    }

    private static List<ChainTxResult> results(Topics topics, String commandId) {
        return KafkaFixture.readAll(topics.chainTxResults()).stream()
                .filter(r -> commandId.equals(r.key()))
                .map(ConsumerRecord::value)
                .toList();
    }

    /** The latest journal entry of the command. */
    private static TxJournal journal(Topics topics, String commandId) {
        List<TxJournal> entries =
                KafkaFixture.readAll(topics.chainTxJournal()).stream()
                        .filter(r -> commandId.equals(r.key()))
                        .map(ConsumerRecord::value)
                        .toList();
        assertThat(entries).as("journal entries of %s", commandId).isNotEmpty();
        return entries.get(entries.size() - 1);
    }

    /** Mined transactions of the node calling EmethCore's {@code signature} since {@code from}. */
    private static long calls(long from, String signature) throws Exception {
        String selector = Hash.sha3String(signature).substring(0, 10);
        long count = 0;
        for (long n = from; n <= chain.blockNumber(); n++) {
            EthBlock.Block block =
                    chain.web3j
                            .ethGetBlockByNumber(
                                    DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), true)
                            .send()
                            .getBlock();
            for (EthBlock.TransactionResult<?> tx : block.getTransactions()) {
                Transaction t = (Transaction) tx.get();
                if (t.getFrom().equalsIgnoreCase(ACCOUNT) && t.getInput().startsWith(selector)) {
                    count++;
                }
            }
        }
        return count;
    }
}
