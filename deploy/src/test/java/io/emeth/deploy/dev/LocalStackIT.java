package io.emeth.deploy.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.MasterConfig;
import io.emeth.deploy.OperatorException;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.RestSchemaRegistryClient;
import io.emeth.testkit.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;

/**
 * {@code emeth dev up/down} for real: a KRaft broker JVM, the dev services JVM and anvil, started
 * detached on free ports under a temporary {@code .emeth}, as an operator would run them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {
    @TempDir static Path home;
    static StackLayout layout;
    static DevOptions options;
    static final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @BeforeAll
    static void layout() {
        layout = new StackLayout(Path.of(System.getProperty("emeth.root", "..")), home);
        options = new DevOptions();
        options.kafkaPort = Ports.free();
        options.kafkaControllerPort = Ports.free();
        options.registryPort = Ports.free();
        options.storagePort = Ports.free();
        options.anvilPort = Ports.free();
    }

    @AfterAll
    static void stopEverything() {
        stack().down();
    }

    private static LocalStack stack() {
        return new LocalStack(
                layout, options, new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void shouldBringUpTheWholeStackWithContractsTopicsAndLoadableConfigs() throws Exception {
        // When
        StackState state = stack().up();
        DevConfigs.write(
                layout, state, 5000, new PrintStream(output, true, StandardCharsets.UTF_8));

        // Then every part answers
        assertThat(stack().status()).allMatch(line -> line.contains("running"));
        assertThat(hasCode(state.ethereumEndpoint(), state.emethContractAddress())).isTrue();
        assertThat(hasCode(state.ethereumEndpoint(), state.tokenContractAddress())).isTrue();
        assertThat(new RestSchemaRegistryClient(state.schemaRegistryUrl()).subjects()).isNotNull();
        List<String> created =
                io.emeth.deploy.topics.TopicAdmin.createMissing(
                        state.kafkaBootstrapServers(), state.schemaRegistryUrl());
        assertThat(created).as("dev up already created every topic").isEmpty();
        assertThat(
                        io.emeth.deploy.topics.TopicAdmin.describe(
                                state.kafkaBootstrapServers(), List.of(Topics.JOB_STATUS)))
                .containsEntry(Topics.JOB_STATUS, Topics.DEFAULT_PARTITIONS);

        // and the printed master.json loads with the components' own loader
        MasterConfig master =
                new ConfigLoader(Map.of())
                        .loadMaster(layout.configDir().resolve("master.json"))
                        .config();
        assertThat(master.emethContractAddress())
                .isEqualToIgnoringCase(state.emethContractAddress());
        assertThat(master.kafka().bootstrapServers()).isEqualTo(state.kafkaBootstrapServers());
        assertThat(Files.exists(layout.configDir().resolve("worker-2.json"))).isTrue();
    }

    @Test
    @Order(2)
    void shouldReuseTheRunningStackOnASecondUp() {
        // Given the pids of the running stack
        List<String> before = stack().status();

        // When
        stack().up();

        // Then the same processes still serve
        assertThat(stack().status()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void shouldKeepContractsAndSchemasAcrossDownAndUp() throws Exception {
        // Given a schema registered and the deployed contract
        StackState first = StackState.read(layout.stateFile());
        Schema schema = SchemaBuilder.record("DevProbe").fields().requiredLong("n").endRecord();
        int id =
                new RestSchemaRegistryClient(first.schemaRegistryUrl())
                        .register("dev-probe-value", schema);

        // When the stack goes down and up again
        assertThat(stack().down()).containsExactlyInAnyOrder("anvil", "services", "kafka");
        assertThat(stack().status()).allMatch(line -> line.contains("stopped"));
        StackState second = stack().up();

        // Then the chain state and the registry's ids survived
        assertThat(second.emethContractAddress()).isEqualTo(first.emethContractAddress());
        assertThat(hasCode(second.ethereumEndpoint(), second.emethContractAddress())).isTrue();
        assertThat(
                        new RestSchemaRegistryClient(second.schemaRegistryUrl())
                                .register("dev-probe-value", schema))
                .isEqualTo(id);
    }

    @Test
    @Order(4)
    void shouldNameThePortAndTheFixWhenAnotherProgramHoldsAPort() throws IOException {
        // Given the stack down and a stranger on the anvil port
        stack().down();
        try (ServerSocket stranger =
                new ServerSocket(options.anvilPort, 1, InetAddress.getLoopbackAddress())) {
            // When / Then
            assertThatThrownBy(() -> stack().up())
                    .isInstanceOf(OperatorException.class)
                    .hasMessageContaining("port " + options.anvilPort)
                    .hasMessageContaining("--anvil-port");
        }
        stack().down();
    }

    private static boolean hasCode(String endpoint, String address) throws IOException {
        Web3j web3j = Web3j.build(new HttpService(endpoint));
        try {
            String code =
                    web3j.ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode();
            return code != null && code.length() > 2;
        } finally {
            web3j.shutdown();
        }
    }
}
