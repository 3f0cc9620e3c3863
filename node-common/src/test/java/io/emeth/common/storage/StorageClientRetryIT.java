package io.emeth.common.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's retry policy against a real HTTP server that fails on purpose (the storage dev
 * server never answers 5xx, so the faults are injected here).
 */
class StorageClientRetryIT {
    static final String JOB = "0x0123456789abcdef0123456789abcdef";

    @TempDir Path dir;
    HttpServer server;
    final AtomicInteger calls = new AtomicInteger();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final NodeIdentity node = NodeIdentity.generate();
    StorageClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.start();
        client =
                StorageClient.builder(
                                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                                node)
                        .maxAttempts(3)
                        .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
                        .build();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    void answer(int status, String body, HttpExchange ex) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Test
    void shouldRetryServerErrorsUntilTheyPass() throws Exception {
        // Given a service that answers 503 twice
        server.createContext(
                "/api/v1/sizeOf",
                ex -> {
                    int n = calls.incrementAndGet();
                    answer(n < 3 ? 503 : 200, n < 3 ? "busy" : "{\"result\": 4096}", ex);
                });
        // Then the third attempt's answer is returned
        assertThat(client.sizeOf("corpus.txt")).isEqualTo(4096);
        assertThat(calls).hasValue(3);
    }

    @Test
    void shouldGiveUpAfterTheLastAttemptNamingEndpointStatusAndJob() throws Exception {
        server.createContext(
                "/api/v1/node/signed-get-url",
                ex -> {
                    bodies.add(
                            new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    calls.incrementAndGet();
                    answer(502, "{\"error\": \"upstream down\"}", ex);
                });
        assertThatThrownBy(() -> client.signedGetUrl(JOB))
                .isInstanceOf(StorageException.class)
                .hasMessage(
                        "POST /api/v1/node/signed-get-url [jobId:"
                                + JOB
                                + "]: HTTP 502: upstream down (after 3 attempts)");
        assertThat(calls).hasValue(3);
        // every attempt was signed afresh and verifies
        for (String body : bodies) {
            var json = StorageHttp.JSON.readTree(body);
            assertThat(
                            Signatures.verifyStorageRequest(
                                    JOB,
                                    json.get("signedtime").asLong(),
                                    json.get("sig").asText(),
                                    node.address()))
                    .isTrue();
        }
    }

    @Test
    void shouldNotRetryARefusal() {
        server.createContext(
                "/api/v1/node/signed-get-url",
                ex -> {
                    calls.incrementAndGet();
                    answer(401, "{\"error\": \"sig was made by 0xabc\"}", ex);
                });
        assertThatThrownBy(() -> client.signedGetUrl(JOB))
                .hasMessageEndingWith("HTTP 401: sig was made by 0xabc");
        assertThat(calls).hasValue(1);
    }

    @Test
    void shouldRetryATruncatedDownloadAndNeverLeaveAPartialFile() throws Exception {
        // Given a signed URL whose download is cut short every time
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext(
                "/api/v1/node/signed-get-url",
                ex -> answer(200, "{\"url\": \"" + base + "/blob\"}", ex));
        server.createContext(
                "/blob",
                ex -> {
                    calls.incrementAndGet();
                    ex.sendResponseHeaders(200, 100);
                    ex.getResponseBody().write(new byte[10]);
                    ex.close();
                });
        Path target = dir.resolve("data.txt");
        // Then the client fails after its attempts, naming the job, and leaves no file behind
        assertThatThrownBy(() -> client.download(JOB, target))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("GET /blob [jobId:" + JOB + "]")
                .hasMessageContaining("after 3 attempts");
        assertThat(calls).hasValue(3);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void shouldRefuseAnAnswerWithoutTheExpectedFields() {
        server.createContext("/api/v1/node/signed-get-url", ex -> answer(200, "{}", ex));
        server.createContext("/api/v1/sizeOf", ex -> answer(200, "{\"result\": \"many\"}", ex));
        assertThatThrownBy(() -> client.signedGetUrl(JOB))
                .hasMessageContaining("answer has no 'url'");
        assertThatThrownBy(() -> client.sizeOf("x"))
                .hasMessageContaining("answer for key dataset/x has no byte count");
    }
}
