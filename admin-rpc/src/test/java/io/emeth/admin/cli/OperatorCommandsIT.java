package io.emeth.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.admin.AdminOptions;
import io.emeth.admin.AdminRpc;
import io.emeth.admin.Seeds;
import io.emeth.admin.db.Database;
import io.emeth.admin.support.ItChain;
import io.emeth.admin.support.ItConfig;
import io.emeth.admin.support.ItKafka;
import io.emeth.admin.support.SocketHttp;
import io.emeth.common.config.MasterConfig;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.schemas.CommandIds;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.WithdrawSlotReward;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.testkit.Ports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.AbstractMap.SimpleEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator commands against a real anvil, broker, registry and a running admin-rpc: {@code
 * joblist} for jobs seeded through job-status, {@code withdraw} (CLI and JSON-RPC) of a closed
 * reward slot through the gateway's topic, {@code decline} of this node's processing jobs only,
 * {@code job status}, and {@code topics tail}.
 */
class OperatorCommandsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ItChain chain;
    private static ItKafka kafka;
    private static MasterConfig config;
    private static AdminRpc admin;
    private static String verifiedJob;
    private static String processingJob;
    private static String othersJob;
    private static long rewardSlot;

    @BeforeAll
    static void start() throws Exception {
        // Given a chain where this node got one job verified (a closed reward slot), processes a
        // second, and another node processes a third
        chain = ItChain.start();
        verifiedJob = chain.verified(chain.master, 3_000);
        rewardSlot = chain.currentSlot();
        processingJob = chain.processing(chain.master);
        othersJob = chain.processing(chain.otherNode);
        io.emeth.contracts.dev.DevChain.increaseTime(
                chain.web3j, EmethRules.SLOT_INTERVAL_SECONDS + 1);

        // and admin-rpc running with the master's views on job-status
        kafka = ItKafka.topics("operator");
        Path folder = Files.createTempDirectory("operator-it");
        config =
                ItConfig.master(
                        ItChain.privateKey(chain.master),
                        Ports.free(),
                        folder.resolve("emeth.db"),
                        json ->
                                json.put("endpoint", chain.anvil.rpcUrl())
                                        .put("emethContractAddress", chain.deployment.coreAddress())
                                        .put(
                                                "tokenContractAddress",
                                                chain.deployment.tokenAddress()));
        admin =
                AdminRpc.start(
                        config,
                        AdminOptions.defaults()
                                .withTopicPrefix(kafka.prefix())
                                .withSinkGroupId(kafka.prefix() + "sink"));
        kafka.publish(
                kafka.catalog().jobStatus(),
                List.of(
                        view(verifiedJob, JobState.VERIFIED, JobStatus.VERIFIED, 1),
                        view(processingJob, JobState.PROCESSING, JobStatus.PROCESSING, 2),
                        new SimpleEntry<>(
                                othersJob,
                                JobView.newBuilder(Seeds.requested(othersJob))
                                        .setState(JobState.TAKEN)
                                        .build())));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> run(out -> JobList.run(config, out)).lines().count() == 2);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void shouldListSeededJobsInTheOriginalFormat() throws Exception {
        String output = run(out -> JobList.run(config, out));
        assertThat(output.lines().sorted().toList())
                .containsExactlyInAnyOrderElementsOf(
                        List.of(
                                "Assigned job: "
                                        + verifiedJob
                                        + " , Status: VERIFIED , Size(MB): 5 , num_attempt: 1",
                                "Assigned job: "
                                        + processingJob
                                        + " , Status: PROCESSING , Size(MB): 5 , num_attempt: 2"));
    }

    @Test
    void shouldWithdrawTheClosedSlotThroughTheGatewayUntilItIsWithdrawn() throws Exception {
        BigInteger expected =
                EmethRules.rewardShare(3_000, 3_000, chain.reader().slot(rewardSlot).totalReward());
        String account = chain.master.getAddress();
        String commandId =
                CommandIds.of(
                        org.web3j.crypto.Keys.toChecksumAddress(account),
                        ChainAction.WITHDRAW_SLOT_REWARD,
                        rewardSlot);

        // When the operator calls withdraw over JSON-RPC
        JsonNode rpc =
                SocketHttp.postJson(
                                "127.0.0.1",
                                "127.0.0.1",
                                admin.port(),
                                "/api/json-rpc",
                                "{\"jsonrpc\":\"2.0\",\"method\":\"withdraw\",\"id\":1}")
                        .json();

        // Then the closed slot is requested from the gateway at the node's share
        assertThat(rpc.at("/result/withdrawals"))
                .singleElement()
                .satisfies(
                        w -> {
                            assertThat(w.get("slot").asLong()).isEqualTo(rewardSlot);
                            assertThat(w.get("reward").asText()).isEqualTo(expected.toString());
                            assertThat(w.get("commandId").asText()).isEqualTo(commandId);
                        });

        // When the CLI runs before the gateway has sent it, it asks again under the same id
        String cli = run(out -> Withdraw.run(config, kafka.prefix(), out));
        assertThat(cli)
                .contains(
                        "Withdraw slot "
                                + rewardSlot
                                + ": "
                                + new java.math.BigDecimal(expected)
                                        .movePointLeft(18)
                                        .stripTrailingZeros()
                                        .toPlainString()
                                + " EMT")
                .contains("command " + commandId);
        List<ChainCommand> commands = withdrawCommands();
        assertThat(commands)
                .hasSize(2)
                .allSatisfy(
                        c -> {
                            assertThat(c.getCommandId()).isEqualTo(commandId);
                            assertThat(c.getAccount()).isEqualToIgnoringCase(account);
                            assertThat(
                                            ((WithdrawSlotReward) c.getPayload())
                                                    .getExpectedReward()
                                                    .toBigInteger())
                                    .isEqualTo(expected);
                        });
        assertThat(storedSlotIndex()).isZero();

        // When the gateway has withdrawn it on chain
        chain.core(chain.master).withdrawSlotReward(BigInteger.valueOf(rewardSlot)).send();

        // Then nothing is left, and the stored index moves past the slot
        assertThat(run(out -> Withdraw.run(config, kafka.prefix(), out)))
                .startsWith("Nothing to withdraw for " + config.poolId());
        assertThat(withdrawCommands()).hasSize(2);
        assertThat(storedSlotIndex()).isEqualTo(1);
    }

    @Test
    void shouldDeclineOnlyJobsThisNodeIsProcessing() throws Exception {
        // When the operator declines every job
        String output = run(out -> Decline.run(config, null, kafka.prefix(), out));

        // Then only the job this node processes on chain is declined, under the master's command id
        String commandId = CommandIds.of(processingJob, ChainAction.DECLINE_JOB, 2);
        assertThat(output.strip())
                .isEqualTo(
                        "Declining job "
                                + processingJob
                                + " (attempt 2): DeclineJob sent to the gateway, command "
                                + commandId);
        assertThat(declineCommands()).extracting(ChainCommand::getCommandId).contains(commandId);
        assertThat(declineCommands())
                .extracting(c -> ((DeclineJob) c.getPayload()).getJobId())
                .doesNotContain(verifiedJob, othersJob);
    }

    @Test
    void shouldRefuseToDeclineAJobThatIsNotOursToDecline() {
        assertThatThrownBy(() -> run(out -> Decline.run(config, verifiedJob, kafka.prefix(), out)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("on chain it is VERIFIED");
        assertThatThrownBy(
                        () ->
                                run(
                                        out ->
                                                Decline.run(
                                                        config,
                                                        othersJob.toUpperCase().replace("0X", "0x"),
                                                        kafka.prefix(),
                                                        out)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "PROCESSING by " + chain.otherNode.getAddress().substring(0, 6));
        assertThatThrownBy(() -> run(out -> Decline.run(config, "0x12", kafka.prefix(), out)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x12");
    }

    @Test
    void shouldReportOneJobsStatus() throws Exception {
        String output = run(out -> JobStatusReport.run(config, processingJob, out));
        assertThat(output)
                .contains("Job " + processingJob)
                .contains("state:      PROCESSING (on chain: PROCESSING")
                .contains("fee:        20 EMT (20000000000000000000 wei)")
                .contains("attempt:    2");
        assertThat(run(out -> JobStatusReport.run(config, JobIds.random(), out)))
                .contains("is not known to this node");
    }

    @Test
    void shouldTailATopicAsJsonLinesDecodingAvro() throws Exception {
        // Given a record that is not Avro among the views
        kafka.publishRaw(
                kafka.catalog().jobStatus().name(),
                "k".getBytes(StandardCharsets.UTF_8),
                new byte[] {0, 0, 0, 0, 99});

        // When
        String output =
                run(
                        out ->
                                TopicTail.run(
                                        ItKafka.settings(),
                                        kafka.prefix(),
                                        "job-status",
                                        new TopicTail.Options(10, true, false),
                                        () -> true,
                                        out));

        // Then every record is a JSON line, the bad one with an error
        List<JsonNode> lines = output.lines().map(OperatorCommandsIT::parse).toList();
        assertThat(lines).hasSize(4);
        assertThat(lines)
                .filteredOn(l -> l.has("value"))
                .extracting(l -> l.at("/value/jobId").asText())
                .containsExactlyInAnyOrder(verifiedJob, processingJob, othersJob);
        assertThat(lines)
                .filteredOn(l -> l.has("value"))
                .allSatisfy(l -> assertThat(l.at("/value/fee").isTextual()).isTrue());
        assertThat(lines)
                .filteredOn(l -> l.has("error"))
                .singleElement()
                .satisfies(l -> assertThat(l.get("error").asText()).contains("cannot decode"));
        assertThatThrownBy(
                        () ->
                                TopicTail.run(
                                        ItKafka.settings(),
                                        kafka.prefix(),
                                        "jobs",
                                        TopicTail.Options.defaults(),
                                        () -> true,
                                        System.out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no topic 'jobs'")
                .hasMessageContaining(kafka.prefix() + "job-status");
    }

    private static Map.Entry<String, JobView> view(
            String jobId, JobState state, JobStatus chainStatus, int attempt) {
        return new SimpleEntry<>(
                jobId,
                JobView.newBuilder(Seeds.job(jobId, state, chainStatus))
                        .setAttempt(attempt)
                        .setNode(chain.master.getAddress())
                        .build());
    }

    private static List<ChainCommand> withdrawCommands() {
        return kafka.readAll(kafka.catalog().chainCommands()).stream()
                .filter(c -> c.getPayload() instanceof WithdrawSlotReward)
                .toList();
    }

    private static List<ChainCommand> declineCommands() {
        return kafka.readAll(kafka.catalog().chainCommands()).stream()
                .filter(c -> c.getPayload() instanceof DeclineJob)
                .toList();
    }

    private static long storedSlotIndex() throws Exception {
        try (Database db = Database.forConfig(config)) {
            return db.read(
                    c -> {
                        try (Statement s = c.createStatement();
                                var r =
                                        s.executeQuery(
                                                "SELECT COALESCE(MAX(slot_index), 0) FROM last_node_slot_index")) {
                            r.next();
                            return r.getLong(1);
                        }
                    });
        }
    }

    /** A command run with its output captured. */
    @FunctionalInterface
    interface Command {
        int run(PrintStream out) throws Exception;
    }

    static String run(Command command) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            command.run(out);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }
}
