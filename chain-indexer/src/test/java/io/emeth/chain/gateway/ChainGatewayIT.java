package io.emeth.chain.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.ChildJvm;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.GatewayMain;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.chain.it.LaggingRpcProxy;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.gateway.TxConfirmed;
import io.emeth.schemas.avro.gateway.TxFailed;
import io.emeth.schemas.avro.gateway.TxFailureKind;
import io.emeth.schemas.avro.gateway.TxSent;
import io.emeth.schemas.avro.gateway.WithdrawSlotReward;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Transaction;

/**
 * The gateway against anvil and the broker: repeated commands send one transaction, a gateway
 * killed between sending and recording sends no second one after its restart, and a stuck
 * transaction is replaced with a higher fee, and a command whose contract read reverts fails with
 * the reason without holding up the next one.
 */
class ChainGatewayIT {
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

    @AfterEach
    void automineBackOn() throws Exception {
        chain.setAutomine(true);
    }

    @Test
    void shouldApproveOnceForThreeJobsAndLeaveSeventeenDeposits() throws Exception {
        // Given three requested jobs, no allowance, and a running gateway for the node's account
        Topics topics = KafkaFixture.topics("gw-allowance");
        resetAllowance();
        List<Job> jobs = List.of(Job.random("a.txt"), Job.random("b.txt"), Job.random("c.txt"));
        for (Job job : jobs) {
            chain.request(job);
        }
        long from = chain.blockNumber();
        try (ChainGateway gateway =
                ChainGateway.start(
                        Configs.gateway(chain, topics, Duration.ofMinutes(5)),
                        new SimpleMeterRegistry())) {
            // When the master asks it to take all three
            for (Job job : jobs) {
                KafkaFixture.publish(
                        topics.chainCommands(),
                        ACCOUNT,
                        command(
                                "process-" + job.jobId(),
                                ProcessJob.newBuilder().setJobId(job.jobId()).build()));
            }

            // Then one approve of 20 deposits serves all three processes
            await().atMost(Duration.ofSeconds(120))
                    .until(
                            () ->
                                    jobs.stream()
                                            .allMatch(
                                                    j ->
                                                            results(topics, "process-" + j.jobId())
                                                                    .stream()
                                                                    .anyMatch(Results::isOutcome)));
        }
        for (Job job : jobs) {
            assertThat(status(job)).isEqualTo(JobStatus.PROCESSING.code());
        }
        assertThat(calls(from, "process(bytes16)")).isEqualTo(3);
        assertThat(tokenCalls(from, "approve(address,uint256)")).isEqualTo(1);
        BigInteger deposit = chain.rates().deposit(ChainFixture.FEE);
        assertThat(chain.reader().allowance(ACCOUNT))
                .isEqualTo(deposit.multiply(BigInteger.valueOf(17)));
        resetAllowance();
    }

    @Test
    void shouldHaveFiveSubmitsInFlightAtOnceAndConfirmThemFromOneBlock() throws Exception {
        // Given five jobs the node processes and a gateway for the node's account
        Topics topics = KafkaFixture.topics("gw-pipeline");
        List<Job> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            jobs.add(processedJob());
        }
        long from = chain.blockNumber();
        try (ChainGateway gateway =
                ChainGateway.start(
                        Configs.gateway(chain, topics, Duration.ofMinutes(5)),
                        new SimpleMeterRegistry())) {
            // When the chain stands still and five SubmitResults are published at once
            chain.setAutomine(false);
            KafkaFixture.publishAll(
                    topics.chainCommands(),
                    ACCOUNT,
                    jobs.stream()
                            .map(
                                    job ->
                                            command(
                                                    "submit-" + job.jobId(),
                                                    SubmitResult.newBuilder()
                                                            .setJobId(job.jobId())
                                                            .setResultFileName(
                                                                    "model-" + job.jobId() + ".zip")
                                                            .build()))
                            .toList());

            // Then all five are journaled and sent before any of them is mined
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    jobs.stream()
                                            .allMatch(
                                                    j ->
                                                            results(topics, "submit-" + j.jobId())
                                                                            .size()
                                                                    == 1));
            // and one block confirms them all
            chain.mine(1);
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    jobs.stream()
                                            .allMatch(
                                                    j ->
                                                            results(topics, "submit-" + j.jobId())
                                                                            .size()
                                                                    == 2));
        }
        List<Long> blocks = new java.util.ArrayList<>();
        java.util.Set<Long> nonces = new java.util.HashSet<>();
        for (Job job : jobs) {
            List<ChainTxResult> r = results(topics, "submit-" + job.jobId());
            nonces.add(((TxSent) r.get(0).getPayload()).getNonce());
            blocks.add(((TxConfirmed) r.get(1).getPayload()).getBlockNumber());
            assertThat(status(job)).isEqualTo(JobStatus.SUBMITTED.code());
        }
        assertThat(nonces).hasSize(5);
        assertThat(blocks).containsOnly(from + 1);
        assertThat(calls(from, "submit(bytes16,string)")).isEqualTo(5);
    }

    @Test
    void shouldTopUpTheAllowanceInTheWaveWhenItStillCoversTheJobAtHand() throws Exception {
        // Given three requested jobs and an allowance of one deposit (below the low-water mark
        // of two, but enough for the first job)
        Topics topics = KafkaFixture.topics("gw-topup");
        BigInteger deposit = chain.rates().deposit(ChainFixture.FEE);
        DevChain.token(chain.web3j, chain.deployment, NODE)
                .approve(chain.deployment.coreAddress(), deposit)
                .send();
        List<Job> jobs = List.of(Job.random("a.txt"), Job.random("b.txt"), Job.random("c.txt"));
        for (Job job : jobs) {
            chain.request(job);
        }
        long from = chain.blockNumber();
        try (ChainGateway gateway =
                ChainGateway.start(
                        Configs.gateway(chain, topics, Duration.ofMinutes(5)),
                        new SimpleMeterRegistry())) {
            // When the chain stands still and the master asks it to take all three
            chain.setAutomine(false);
            KafkaFixture.publishAll(
                    topics.chainCommands(),
                    ACCOUNT,
                    jobs.stream()
                            .map(
                                    j ->
                                            command(
                                                    "process-" + j.jobId(),
                                                    ProcessJob.newBuilder()
                                                            .setJobId(j.jobId())
                                                            .build()))
                            .toList());

            // Then the approve and the three processes are all sent before any block: the
            // top-up did not wait for its receipt
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    jobs.stream()
                                                    .mapToLong(
                                                            j ->
                                                                    results(
                                                                                    topics,
                                                                                    "process-"
                                                                                            + j
                                                                                                    .jobId())
                                                                            .size())
                                                    .sum()
                                            == 4);
            chain.mine(1);
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    jobs.stream()
                                            .allMatch(
                                                    j ->
                                                            results(topics, "process-" + j.jobId())
                                                                    .stream()
                                                                    .anyMatch(Results::isOutcome)));
        }
        for (Job job : jobs) {
            assertThat(status(job)).isEqualTo(JobStatus.PROCESSING.code());
            assertThat(results(topics, "process-" + job.jobId()))
                    .last()
                    .satisfies(r -> assertThat(r.getPayload()).isInstanceOf(TxConfirmed.class));
        }
        // one approve of 20 deposits, mined before the processes of the same block
        assertThat(calls(from, "process(bytes16)")).isEqualTo(3);
        assertThat(tokenCalls(from, "approve(address,uint256)")).isEqualTo(1);
        assertThat(chain.blockNumber()).isEqualTo(from + 1);
        assertThat(chain.reader().allowance(ACCOUNT))
                .isEqualTo(deposit.multiply(BigInteger.valueOf(20 - 3)));
        chain.setAutomine(true);
        resetAllowance();
    }

    @Test
    void shouldSendALaterWaveWhileTheFirstAwaitsItsReceiptsUpToMaxInflight() throws Exception {
        // Given five jobs the node processes and a gateway with at most 3 transactions in flight
        Topics topics = KafkaFixture.topics("gw-overlap");
        List<Job> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            jobs.add(processedJob());
        }
        long from = chain.blockNumber();
        try (ChainGateway gateway =
                ChainGateway.start(
                        Configs.gateway(chain, topics, Duration.ofMinutes(5)).withMaxInflightTxs(3),
                        new SimpleMeterRegistry())) {
            // When the chain stands still, two SubmitResults are sent
            chain.setAutomine(false);
            KafkaFixture.publishAll(
                    topics.chainCommands(),
                    ACCOUNT,
                    jobs.subList(0, 2).stream().map(ChainGatewayIT::submit).toList());
            await().atMost(Duration.ofSeconds(60)).until(() -> sentCount(topics, jobs) == 2);

            // and three more come while those two await their receipts
            KafkaFixture.publishAll(
                    topics.chainCommands(),
                    ACCOUNT,
                    jobs.subList(2, 5).stream().map(ChainGatewayIT::submit).toList());

            // Then one more is sent before any block (a second wave, overlapping the first),
            // and no more than that: 3 in flight
            await().atMost(Duration.ofSeconds(60)).until(() -> sentCount(topics, jobs) == 3);
            assertThat(results(topics, "submit-" + jobs.get(2).jobId())).hasSize(1);
            chain.mine(1);

            // and the last two once the first block made room
            await().atMost(Duration.ofSeconds(60)).until(() -> sentCount(topics, jobs) == 5);
            chain.mine(1);
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    jobs.stream()
                                            .allMatch(
                                                    j ->
                                                            results(topics, "submit-" + j.jobId())
                                                                            .size()
                                                                    == 2));
        }
        List<Long> blocks = new java.util.ArrayList<>();
        for (Job job : jobs) {
            List<ChainTxResult> r = results(topics, "submit-" + job.jobId());
            blocks.add(((TxConfirmed) r.get(1).getPayload()).getBlockNumber());
            assertThat(status(job)).isEqualTo(JobStatus.SUBMITTED.code());
        }
        assertThat(blocks).containsExactly(from + 1, from + 1, from + 1, from + 2, from + 2);
        assertThat(calls(from, "submit(bytes16,string)")).isEqualTo(5);
    }

    /** How many of the jobs' SubmitResults have their TxSent. */
    private static long sentCount(Topics topics, List<Job> jobs) {
        return jobs.stream()
                .filter(
                        j ->
                                results(topics, "submit-" + j.jobId()).stream()
                                        .anyMatch(r -> r.getPayload() instanceof TxSent))
                .count();
    }

    @Test
    void shouldFillTheNonceOfARefusedTransactionSoThatTheLaterOnesAreMined() throws Exception {
        // Given four jobs the node processes, and a node that refuses the second raw transaction
        // the gateway sends (it answers as anvil does when the account cannot pay the gas)
        Topics topics = KafkaFixture.topics("gw-refused");
        List<Job> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(processedJob());
        }
        long from = chain.blockNumber() + 1;
        long firstNonce = nonce(DefaultBlockParameterName.LATEST);
        try (LaggingRpcProxy node = LaggingRpcProxy.start(chain.anvil.rpcUrl());
                ChainGateway gateway =
                        ChainGateway.start(
                                Configs.via(
                                        Configs.gateway(chain, topics, Duration.ofMinutes(5)),
                                        node.uri()),
                                new SimpleMeterRegistry())) {
            node.refuseRawTransaction(2, "Insufficient funds for gas * price + value");

            // When four SubmitResults are published at once
            KafkaFixture.publishAll(
                    topics.chainCommands(),
                    ACCOUNT,
                    jobs.stream().map(ChainGatewayIT::submit).toList());

            // Then every command gets its outcome: the later nonces were not stuck behind the gap
            await().atMost(Duration.ofSeconds(90))
                    .until(
                            () ->
                                    jobs.stream()
                                            .allMatch(
                                                    j ->
                                                            results(topics, "submit-" + j.jobId())
                                                                            .size()
                                                                    == 2));
        }
        List<TxFailed> refused = new java.util.ArrayList<>();
        long refusedNonce = -1;
        for (Job job : jobs) {
            List<ChainTxResult> r = results(topics, "submit-" + job.jobId());
            if (r.get(1).getPayload() instanceof TxFailed f) {
                refused.add(f);
                refusedNonce = ((TxSent) r.get(0).getPayload()).getNonce();
                assertThat(status(job)).isEqualTo(JobStatus.PROCESSING.code());
            } else {
                assertThat(r.get(1).getPayload()).isInstanceOf(TxConfirmed.class);
                assertThat(status(job)).isEqualTo(JobStatus.SUBMITTED.code());
            }
        }
        // the refused one failed with the node's reason, the three others were mined
        assertThat(refused)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.getKind()).isEqualTo(TxFailureKind.REJECTED);
                            assertThat(f.getReason()).contains("Insufficient funds");
                        });
        assertThat(calls(from, "submit(bytes16,string)")).isEqualTo(3);
        // and its nonce went to a 0-value transfer to the account itself: no nonce left unused
        assertThat(selfTransferNonces(from)).containsExactly(refusedNonce);
        assertThat(nonce(DefaultBlockParameterName.LATEST)).isEqualTo(firstNonce + 4);
    }

    private static ChainCommand submit(Job job) {
        return command(
                "submit-" + job.jobId(),
                SubmitResult.newBuilder()
                        .setJobId(job.jobId())
                        .setResultFileName("model-" + job.jobId() + ".zip")
                        .build());
    }

    private static long nonce(DefaultBlockParameterName block) throws Exception {
        return chain.web3j
                .ethGetTransactionCount(ACCOUNT, block)
                .send()
                .getTransactionCount()
                .longValueExact();
    }

    /** Nonces of the node's mined 0-value transfers to itself since {@code from}. */
    private static List<Long> selfTransferNonces(long from) throws Exception {
        List<Long> nonces = new java.util.ArrayList<>();
        for (long n = from; n <= chain.blockNumber(); n++) {
            EthBlock.Block block =
                    chain.web3j
                            .ethGetBlockByNumber(
                                    DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), true)
                            .send()
                            .getBlock();
            for (EthBlock.TransactionResult<?> tx : block.getTransactions()) {
                Transaction t = (Transaction) tx.get();
                if (t.getFrom().equalsIgnoreCase(ACCOUNT)
                        && ACCOUNT.equalsIgnoreCase(t.getTo())
                        && t.getValue().signum() == 0) {
                    nonces.add(t.getNonce().longValueExact());
                }
            }
        }
        return nonces;
    }

    @Test
    void shouldSendOneProcessWhenTheSameProcessJobIsPublishedThreeTimes() throws Exception {
        // Given a requested job and a running gateway for the node's account
        Topics topics = KafkaFixture.topics("gw-dup");
        resetAllowance();
        Job job = Job.random("corpus.txt");
        chain.request(job);
        long from = chain.blockNumber();
        ChainCommand process =
                command(
                        "process-" + job.jobId(),
                        ProcessJob.newBuilder().setJobId(job.jobId()).build());
        ChainCommand stale =
                command(
                        "process-" + job.jobId() + "-again",
                        ProcessJob.newBuilder().setJobId(job.jobId()).build());
        try (ChainGateway gateway =
                ChainGateway.start(
                        Configs.gateway(chain, topics, Duration.ofMinutes(5)),
                        new SimpleMeterRegistry())) {
            // When the same ProcessJob is published three times, then a stale one under a new id
            for (int i = 0; i < 3; i++) {
                KafkaFixture.publish(topics.chainCommands(), ACCOUNT, process);
            }
            KafkaFixture.publish(topics.chainCommands(), ACCOUNT, stale);

            // Then one approve and one process go on chain, the repeats are no-ops and the stale
            // command fails on its precondition without a transaction
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> results(topics, stale.getCommandId()).size() == 1);
            List<ChainTxResult> first = results(topics, process.getCommandId());
            assertThat(first)
                    .extracting(ChainTxResult::getAction)
                    .containsExactly(
                            ChainAction.APPROVE, ChainAction.PROCESS_JOB, ChainAction.PROCESS_JOB);
            assertThat(first)
                    .extracting(ChainTxResult::getPayload)
                    .hasExactlyElementsOfTypes(TxSent.class, TxSent.class, TxConfirmed.class);
            TxFailed failed = (TxFailed) results(topics, stale.getCommandId()).get(0).getPayload();
            assertThat(failed.getKind()).isEqualTo(TxFailureKind.PRECONDITION);
            assertThat(failed.getReason()).contains(job.jobId(), "PROCESSING", "not REQUESTED");
            assertThat(failed.getTxHash()).isNull();
            assertThat(calls(from, "process(bytes16)")).isEqualTo(1);
            assertThat(status(job)).isEqualTo(JobStatus.PROCESSING.code());
        }
    }

    @Test
    void shouldSendOneSubmitWhenKilledBeforeTheReceiptIsRecorded() throws Exception {
        // Given a job the node processes, and a gateway process whose submit stays pending
        Topics topics = KafkaFixture.topics("gw-crash");
        Job job = processedJob();
        long from = chain.blockNumber();
        ChainCommand submit =
                command(
                        "submit-" + job.jobId(),
                        SubmitResult.newBuilder()
                                .setJobId(job.jobId())
                                .setResultFileName("model-" + job.jobId() + ".zip")
                                .build());
        var config = Configs.gateway(chain, topics, Duration.ofMinutes(5));
        chain.setAutomine(false);
        try (ChildJvm gateway =
                ChildJvm.start(GatewayMain.class, GatewayMain.toProperties(config), "gateway")) {
            KafkaFixture.publish(topics.chainCommands(), ACCOUNT, submit);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> !results(topics, submit.getCommandId()).isEmpty());

            // When the gateway is killed before the receipt, restarted, and only then the block
            // mined
            gateway.kill();
        }
        try (ChildJvm restarted =
                ChildJvm.start(GatewayMain.class, GatewayMain.toProperties(config), "gateway")) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.readString(restarted.log()).contains("Resuming a command"));
            chain.mine(1);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> results(topics, submit.getCommandId()).size() == 2);
        }

        // Then exactly one submit is on chain and the command is confirmed once
        List<ChainTxResult> results = results(topics, submit.getCommandId());
        assertThat(results)
                .extracting(ChainTxResult::getPayload)
                .hasExactlyElementsOfTypes(TxSent.class, TxConfirmed.class);
        assertThat(((TxConfirmed) results.get(1).getPayload()).getTxHash())
                .isEqualTo(((TxSent) results.get(0).getPayload()).getTxHash());
        assertThat(calls(from, "submit(bytes16,string)")).isEqualTo(1);
        assertThat(status(job)).isEqualTo(JobStatus.SUBMITTED.code());
    }

    @Test
    void shouldReplaceAStuckTransactionWithAHigherFee() throws Exception {
        // Given a processed job and a gateway that replaces transactions pending over a second
        Topics topics = KafkaFixture.topics("gw-bump");
        Job job = processedJob();
        long from = chain.blockNumber();
        ChainCommand decline =
                command(
                        "decline-" + job.jobId(),
                        DeclineJob.newBuilder()
                                .setJobId(job.jobId())
                                .setReason("workers lost")
                                .build());
        try (ChainGateway gateway =
                ChainGateway.start(
                        Configs.gateway(chain, topics, Duration.ofSeconds(1)),
                        new SimpleMeterRegistry())) {
            // When its decline is not mined for a while
            chain.setAutomine(false);
            KafkaFixture.publish(topics.chainCommands(), ACCOUNT, decline);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> results(topics, decline.getCommandId()).size() >= 2);
            chain.mine(1);
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    results(topics, decline.getCommandId()).stream()
                                            .anyMatch(r -> r.getPayload() instanceof TxConfirmed));
        }

        // Then a replacement with higher fees names the stuck one, and one decline is mined
        List<ChainTxResult> results = results(topics, decline.getCommandId());
        TxSent original = (TxSent) results.get(0).getPayload();
        TxSent replacement = (TxSent) results.get(1).getPayload();
        assertThat(replacement.getReplacesTxHash()).isEqualTo(original.getTxHash());
        assertThat(replacement.getNonce()).isEqualTo(original.getNonce());
        assertThat(replacement.getMaxFeePerGas()).isGreaterThan(original.getMaxFeePerGas());
        assertThat(replacement.getMaxPriorityFeePerGas())
                .isGreaterThan(original.getMaxPriorityFeePerGas());
        assertThat(results).filteredOn(r -> r.getPayload() instanceof TxConfirmed).hasSize(1);
        assertThat(calls(from, "decline(bytes16)")).isEqualTo(1);
        assertThat(status(job)).isEqualTo(JobStatus.DECLINED.code());
    }

    @Test
    void shouldFenceTheFirstGatewayWhenASecondStartsForTheSameAccount() throws Exception {
        // Given a gateway that has taken one job on chain
        Topics topics = KafkaFixture.topics("gw-fence");
        Job before = Job.random("corpus.txt");
        Job after = Job.random("corpus.txt");
        chain.request(before);
        chain.request(after);
        long from = chain.blockNumber();
        ChainCommand first =
                command(
                        "process-" + before.jobId(),
                        ProcessJob.newBuilder().setJobId(before.jobId()).build());
        ChainCommand second =
                command(
                        "process-" + after.jobId(),
                        ProcessJob.newBuilder().setJobId(after.jobId()).build());
        var config = Configs.gateway(chain, topics, Duration.ofMinutes(5));
        try (ChainGateway old = ChainGateway.start(config, new SimpleMeterRegistry())) {
            KafkaFixture.publish(topics.chainCommands(), ACCOUNT, first);
            await().atMost(Duration.ofSeconds(60)).until(() -> confirmed(topics, first));

            // When a second gateway for the same account starts and a command follows
            try (ChainGateway taker = ChainGateway.start(config, new SimpleMeterRegistry())) {
                KafkaFixture.publish(topics.chainCommands(), ACCOUNT, second);

                // Then the first stops as fenced for good, and the second executes it once
                await().atMost(Duration.ofSeconds(90)).until(() -> confirmed(topics, second));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> old.state() == ChainGateway.State.FENCED);
                assertThat(old.awaitStopped(Duration.ofSeconds(30))).isTrue();
                assertThat(taker.state()).isEqualTo(ChainGateway.State.RUNNING);
                assertThat(calls(from, "process(bytes16)")).isEqualTo(2);
                assertThat(status(after)).isEqualTo(JobStatus.PROCESSING.code());
                assertThat(results(topics, second.getCommandId()))
                        .filteredOn(r -> r.getPayload() instanceof TxConfirmed)
                        .hasSize(1);
            }
        }
    }

    private static boolean confirmed(Topics topics, ChainCommand command) {
        return results(topics, command.getCommandId()).stream()
                .anyMatch(r -> r.getPayload() instanceof TxConfirmed);
    }

    @Test
    void shouldFailAWithdrawalWhoseReadRevertsAndGoOnWithTheNextCommand() throws Exception {
        // Given a requested job and a running gateway
        Topics topics = KafkaFixture.topics("gw-refused");
        Job job = Job.random("corpus.txt");
        chain.request(job);
        // a slot before the contract's first: slots(1) reverts, here as on the network
        ChainCommand withdraw =
                command("withdraw-1", WithdrawSlotReward.newBuilder().setSlot(1).build());
        ChainCommand process =
                command(
                        "process-after-" + job.jobId(),
                        ProcessJob.newBuilder().setJobId(job.jobId()).build());
        try (ChainGateway gateway =
                ChainGateway.start(
                        Configs.gateway(chain, topics, Duration.ofMinutes(5)),
                        new SimpleMeterRegistry())) {
            // When the withdrawal is published, then a ProcessJob
            KafkaFixture.publish(topics.chainCommands(), ACCOUNT, withdraw);
            KafkaFixture.publish(topics.chainCommands(), ACCOUNT, process);

            // Then the withdrawal fails with the contract's reason, once
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    results(topics, process.getCommandId()).stream()
                                            .anyMatch(r -> r.getPayload() instanceof TxConfirmed));
            List<ChainTxResult> refused = results(topics, withdraw.getCommandId());
            assertThat(refused).hasSize(1);
            assertThat(refused.get(0).getAction()).isEqualTo(ChainAction.WITHDRAW_SLOT_REWARD);
            TxFailed failed = (TxFailed) refused.get(0).getPayload();
            assertThat(failed.getKind()).isEqualTo(TxFailureKind.ERROR);
            assertThat(failed.getReason()).contains("slots(1) reverted", "slot before startSlot");
            // And the ProcessJob behind it took the job
            assertThat(status(job)).isEqualTo(JobStatus.PROCESSING.code());
        }
    }

    private static ChainCommand command(String id, Object payload) {
        return ChainCommand.newBuilder()
                .setCommandId(id)
                .setAccount(ACCOUNT)
                .setIssuedAt(Instant.now())
                .setPayload(payload)
                .build();
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

    /** Sets the node's EMT allowance for EmethCore back to zero, as a fresh account has it. */
    private static void resetAllowance() throws Exception {
        DevChain.token(chain.web3j, chain.deployment, NODE)
                .approve(chain.deployment.coreAddress(), BigInteger.ZERO)
                .send();
    }

    private static List<ChainTxResult> results(Topics topics, String commandId) {
        return KafkaFixture.readAll(topics.chainTxResults()).stream()
                .filter(r -> commandId.equals(r.key()))
                .map(ConsumerRecord::value)
                .toList();
    }

    private static int status(Job job) throws Exception {
        return chain.reader().job(job.jobId()).statusCode().intValueExact();
    }

    /** Mined transactions of the node calling EmethCore's {@code signature} since {@code from}. */
    private static long calls(long from, String signature) throws Exception {
        return calls(from, signature, chain.deployment.coreAddress());
    }

    /** The same calling the EMT token. */
    private static long tokenCalls(long from, String signature) throws Exception {
        return calls(from, signature, chain.deployment.tokenAddress());
    }

    private static long calls(long from, String signature, String to) throws Exception {
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
                if (t.getFrom().equalsIgnoreCase(ACCOUNT)
                        && to.equalsIgnoreCase(t.getTo())
                        && t.getInput().startsWith(selector)) {
                    count++;
                }
            }
        }
        return count;
    }
}
