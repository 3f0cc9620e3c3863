package io.emeth.worker.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.emeth.testkit.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node-info client against a real HTTP server playing the master's admin-rpc. */
class NodeInfoClientIT {
    private static final String VALID =
            "{\"pool\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"kafkaBootstrapServers\":\"127.0.0.1:9092\","
                    + "\"schemaRegistryUrl\":\"http://127.0.0.1:8081\",\"topicPrefix\":\"\",\"storageApi\":\"http://127.0.0.1:3000\"}";

    private record Answer(int status, String body) {}

    private final Deque<Answer> answers = new ArrayDeque<>();
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                NodeInfoClient.PATH,
                exchange -> {
                    Answer answer;
                    synchronized (answers) {
                        answer = answers.size() > 1 ? answers.poll() : answers.peek();
                    }
                    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(answer.status(), body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI master() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Test
    void shouldWaitForAMasterThatIsStillStarting() throws Exception {
        // Given a master answering 503 twice before it is ready
        answers.add(new Answer(503, "starting"));
        answers.add(new Answer(503, "starting"));
        answers.add(new Answer(200, VALID));

        // Then the worker gets its node-info
        NodeInfo info = new NodeInfoClient(Duration.ofSeconds(20)).fetch(master());
        assertThat(info.kafkaBootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(info.storageApi()).contains(URI.create("http://127.0.0.1:3000"));
    }

    @Test
    void shouldFailAtOnceWhenTheMasterRefusesTheWorker() {
        answers.add(new Answer(403, "{\"error\":\"not whitelisted\"}"));
        assertThatThrownBy(() -> new NodeInfoClient(Duration.ofSeconds(20)).fetch(master()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(
                        "master_node_url: GET "
                                + master().toString().replaceAll("/$", "")
                                + NodeInfoClient.PATH)
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("worker_whitelist")
                .hasMessageContaining("not whitelisted");
    }

    @Test
    void shouldRefuseMalformedAndOversizedAnswers() {
        answers.add(new Answer(200, "<html>hello</html>"));
        assertThatThrownBy(() -> new NodeInfoClient(Duration.ofSeconds(5)).fetch(master()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("answer is not JSON");

        answers.clear();
        answers.add(new Answer(200, "{\"pool\":\"" + "a".repeat(200_000) + "\"}"));
        assertThatThrownBy(() -> new NodeInfoClient(Duration.ofSeconds(5)).fetch(master()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + NodeInfo.MAX_BYTES);
    }

    @Test
    void shouldNameTheUrlWhenNoMasterAnswers() {
        URI nobody = URI.create("http://127.0.0.1:" + Ports.free());
        assertThatThrownBy(() -> new NodeInfoClient(Duration.ofSeconds(1)).fetch(nobody))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(
                        "master_node_url: no node-info from "
                                + nobody
                                + NodeInfoClient.PATH
                                + " within 1 s")
                .hasMessageContaining("is the master's admin-rpc running at that URL?");
    }
}
