package io.emeth.worker.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeInfoTest {

    private static final URI SOURCE = URI.create("http://master:5000/api/v1/node-info");
    private static final String POOL = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

    @Test
    void shouldReadWhatAdminRpcServes() {
        NodeInfo info =
                NodeInfo.parse(
                        "{\"pool\":\""
                                + POOL
                                + "\",\"kafkaBootstrapServers\":\"k1:9092,k2:9092\","
                                + "\"schemaRegistryUrl\":\"http://registry:8081\",\"topicPrefix\":\"dev.\","
                                + "\"storageApi\":\"https://storage.example/api\",\"somethingNew\":[1,2]}",
                        SOURCE);

        assertThat(info.pool()).isEqualTo("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        assertThat(info.kafkaBootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(info.schemaRegistryUrl()).isEqualTo(URI.create("http://registry:8081"));
        assertThat(info.topicPrefix()).isEqualTo("dev.");
        assertThat(info.storageApi()).contains(URI.create("https://storage.example/api"));
    }

    @Test
    void shouldDefaultTheOptionalFields() {
        NodeInfo info =
                NodeInfo.parse(
                        "{\"pool\":\""
                                + POOL
                                + "\",\"kafkaBootstrapServers\":\"127.0.0.1:9092\","
                                + "\"schemaRegistryUrl\":\"http://127.0.0.1:8081\",\"topicPrefix\":null}",
                        SOURCE);
        assertThat(info.topicPrefix()).isEmpty();
        assertThat(info.storageApi()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "not json at all | answer is not JSON",
                "[1,2] | answer is not a JSON object",
                "{} | answer lacks 'pool'",
                "{\"pool\":42} | 'pool' must be a string, got NUMBER",
                "{\"pool\":\"0x1234\"} | pool must be an Ethereum address, got '0x1234'",
                "{\"pool\":\"" + POOL + "\"} | answer lacks 'kafkaBootstrapServers'",
                "{\"pool\":\""
                        + POOL
                        + "\",\"kafkaBootstrapServers\":\"\"} | 'kafkaBootstrapServers' is empty",
                "{\"pool\":\""
                        + POOL
                        + "\",\"kafkaBootstrapServers\":\"k1\"} | kafkaBootstrapServers must be host:port",
                "{\"pool\":\""
                        + POOL
                        + "\",\"kafkaBootstrapServers\":\"k:1\",\"schemaRegistryUrl\":\"ftp://r\"} | 'schemaRegistryUrl' must be an http(s) URL",
                "{\"pool\":\""
                        + POOL
                        + "\",\"kafkaBootstrapServers\":\"k:1\",\"schemaRegistryUrl\":\"http://r:1\",\"topicPrefix\":\"../etc\"} | topicPrefix must be up to 100",
                "{\"pool\":\""
                        + POOL
                        + "\",\"kafkaBootstrapServers\":\"k:1\",\"schemaRegistryUrl\":\"http://r:1\",\"storageApi\":\"http://a b\"} | 'storageApi' is not a URL",
                "{\"pool\":\"a\",\"pool\":\"b\"} | answer is not JSON: Duplicate field 'pool'",
            })
    void shouldRefuseAMalformedAnswerNamingTheSourceAndField(String json, String problem) {
        assertThatThrownBy(() -> NodeInfo.parse(json, SOURCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("node-info from " + SOURCE + ": ")
                .hasMessageContaining(problem)
                .hasMessageEndingWith("is master_node_url the master's admin-rpc?");
    }

    @Test
    void shouldRefuseAnOversizedAnswerWithoutParsingIt() {
        String huge = "{\"pool\":\"" + "x".repeat(NodeInfo.MAX_BYTES) + "\"}";
        assertThatThrownBy(() -> NodeInfo.parse(huge, SOURCE))
                .hasMessageContaining("characters, at most " + NodeInfo.MAX_BYTES);
    }

    @Test
    void shouldNotEchoControlCharactersOfAHostileValue() {
        assertThatThrownBy(() -> NodeInfo.parse("{\"pool\":\"0x\\u001b[31mred\\nline\"}", SOURCE))
                .hasMessageContaining("'0x?[31mred?line'");
    }
}
