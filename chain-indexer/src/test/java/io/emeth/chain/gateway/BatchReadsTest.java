package io.emeth.chain.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.generated.Bytes16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * The gateway's batched reads against a canned JSON-RPC server: one batch answers every job read,
 * an entry the node answers with an error leaves only that entry out, and a batch answered as a
 * whole with something other than one response per request is a clear error naming the endpoint.
 */
class BatchReadsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private static final String OWNER = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
    private static final String CORE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    private static final String TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private static final String JOB_A = "0x000000000000000000000000000000aa";
    private static final String JOB_B = "0x000000000000000000000000000000bb";
    private static final EmethCore CORE_ENCODER =
            EmethCore.load(
                    CORE,
                    null,
                    new ReadonlyTransactionManager(null, ACCOUNT),
                    new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    private static final EmethToken TOKEN_ENCODER =
            EmethToken.load(
                    TOKEN,
                    null,
                    new ReadonlyTransactionManager(null, ACCOUNT),
                    new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));

    private HttpServer server;
    private EthEndpoint endpoint;
    private final AtomicInteger posts = new AtomicInteger();
    private final List<Integer> batchSizes = new ArrayList<>();

    /** Answers each call of a batch (by its calldata or method); null: the whole body instead. */
    private volatile Function<JsonNode, JsonNode> perCall;

    private volatile Function<JsonNode, String> wholeBody;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                exchange -> {
                    try (exchange) {
                        posts.incrementAndGet();
                        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
                        synchronized (batchSizes) {
                            batchSizes.add(request.isArray() ? request.size() : 1);
                        }
                        String body;
                        if (wholeBody != null) {
                            body = wholeBody.apply(request);
                        } else {
                            ArrayNode out = JSON.createArrayNode();
                            request.forEach(call -> out.add(perCall.apply(call)));
                            body = JSON.writeValueAsString(out);
                        }
                        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                        exchange.getResponseHeaders().set("Content-Type", "application/json");
                        exchange.sendResponseHeaders(200, bytes.length);
                        try (OutputStream os = exchange.getResponseBody()) {
                            os.write(bytes);
                        }
                    }
                });
        server.start();
        endpoint =
                EthEndpoint.connect(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                        Duration.ofMillis(100),
                        Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        endpoint.close();
        server.stop(0);
    }

    @Test
    void shouldReadEveryJobInOneBatchAndLeaveOutOnlyTheEntriesThatFailed() throws IOException {
        Map<String, JsonNode> byData = new HashMap<>();
        // job A: jobs() fails with a node error, jobAssigns answers; job B answers both
        byData.put(
                CORE_ENCODER.jobs(JobIds.toBytes(JOB_A)).encodeFunctionCall(),
                error(-32000, "header not found", null));
        byData.put(
                CORE_ENCODER.jobAssigns(JobIds.toBytes(JOB_A)).encodeFunctionCall(),
                value(assignment(ACCOUNT)));
        byData.put(
                CORE_ENCODER.jobs(JobIds.toBytes(JOB_B)).encodeFunctionCall(),
                value(job(JOB_B, 1_900_000_000L, BigInteger.valueOf(5_000), 1)));
        byData.put(
                CORE_ENCODER.jobAssigns(JobIds.toBytes(JOB_B)).encodeFunctionCall(),
                value(assignment("0x0000000000000000000000000000000000000000")));
        perCall =
                call -> {
                    String data = call.path("params").path(0).path("data").asText();
                    ObjectNode out = byData.get(data).deepCopy();
                    out.put("jsonrpc", "2.0");
                    out.set("id", call.get("id"));
                    return out;
                };
        BatchReads.Answers answers = reads().read(List.of(JOB_A, JOB_B), false);

        assertThat(posts.get()).as("one HTTP request for 4 reads").isEqualTo(1);
        assertThat(batchSizes).containsExactly(4);
        assertThat(answers.jobs()).containsOnlyKeys(JOB_B);
        JobState b = answers.jobs().get(JOB_B);
        assertThat(b.exists()).isTrue();
        assertThat(b.deadline()).isEqualTo(1_900_000_000L);
        assertThat(b.fee()).isEqualTo(BigInteger.valueOf(5_000));
        assertThat(b.status()).isEqualTo(1);
        assertThat(b.node()).isEqualTo("0x0000000000000000000000000000000000000000");
        assertThat(answers.errors())
                .singleElement()
                .satisfies(e -> assertThat(e).contains("jobs(" + JOB_A + ")", "header not found"));
    }

    @Test
    void shouldReadTheAccountStateInTheSameBatch() throws IOException {
        perCall =
                call -> {
                    String method = call.path("method").asText();
                    String data = call.path("params").path(0).path("data").asText();
                    JsonNode answer;
                    if (method.equals("eth_getBlockByNumber")) {
                        answer = JSON.createObjectNode();
                        ((ObjectNode) answer)
                                .putObject("result")
                                .put("number", "0x10")
                                .put("timestamp", "0x6553f100")
                                .put("hash", "0x" + "11".repeat(32));
                    } else if (data.equals(TOKEN_ENCODER.balanceOf(ACCOUNT).encodeFunctionCall())) {
                        answer = value(uint(1_000));
                    } else {
                        answer = value(uint(300));
                    }
                    ObjectNode out = ((ObjectNode) answer).deepCopy();
                    out.put("jsonrpc", "2.0");
                    out.set("id", call.get("id"));
                    return out;
                };

        BatchReads.Answers answers = reads().read(List.of(), true);

        assertThat(posts.get()).isEqualTo(1);
        assertThat(answers.emtBalance()).isEqualTo(BigInteger.valueOf(1_000));
        assertThat(answers.allowance()).isEqualTo(BigInteger.valueOf(300));
        assertThat(answers.now()).isEqualTo(0x6553f100L);
        assertThat(answers.errors()).isEmpty();
    }

    @Test
    void shouldSplitAPollOfManyCommandsIntoBatchesOfAtMostTheMaximum() throws IOException {
        // two reads per job: MAX_BATCH + 30 reads
        int jobCount = (BatchReads.MAX_BATCH + 30) / 2;
        List<String> jobIds = new ArrayList<>();
        Map<String, String> byData = new HashMap<>();
        for (int i = 0; i < jobCount; i++) {
            String jobId = String.format("0x%032x", i + 1);
            jobIds.add(jobId);
            byData.put(
                    CORE_ENCODER.jobs(JobIds.toBytes(jobId)).encodeFunctionCall(),
                    job(jobId, 1_900_000_000L, BigInteger.valueOf(5_000), 1));
            byData.put(
                    CORE_ENCODER.jobAssigns(JobIds.toBytes(jobId)).encodeFunctionCall(),
                    assignment(ACCOUNT));
        }
        perCall =
                call -> {
                    ObjectNode out =
                            value(byData.get(call.path("params").path(0).path("data").asText()));
                    out.put("jsonrpc", "2.0");
                    out.set("id", call.get("id"));
                    return out;
                };

        BatchReads.Answers answers = reads().read(jobIds, false);

        assertThat(batchSizes).containsExactly(BatchReads.MAX_BATCH, 30);
        assertThat(answers.jobs()).hasSize(jobCount);
        assertThat(answers.errors()).isEmpty();
    }

    @Test
    void shouldNameTheEndpointWhenABatchIsAnsweredWithOneErrorObjectInsteadOfAnArray() {
        wholeBody =
                request ->
                        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
                                + "\"message\":\"batch too large\"}}";

        assertThatThrownBy(() -> reads().read(List.of(JOB_A), false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("batch answer from http://127.0.0.1:")
                .hasMessageContaining("malformed");
    }

    @Test
    void shouldRefuseABatchAnswerWithMoreResponsesThanRequests() {
        wholeBody =
                request -> {
                    ArrayNode out = JSON.createArrayNode();
                    for (int i = 0; i < request.size() + 3; i++) {
                        ObjectNode o = value(uint(1));
                        o.put("jsonrpc", "2.0");
                        o.put(
                                "id",
                                i < request.size() ? request.get(i).get("id").asLong() : 9_999 + i);
                        out.add(o);
                    }
                    return out.toString();
                };

        assertThatThrownBy(() -> reads().read(List.of(JOB_A), false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("batch answer from http://127.0.0.1:")
                .hasMessageContaining("2 requests");
    }

    @Test
    void shouldRefuseABatchAnswerThatLacksAResponse() {
        wholeBody =
                request -> {
                    ObjectNode o = value(uint(1));
                    o.put("jsonrpc", "2.0");
                    o.set("id", request.get(0).get("id"));
                    return JSON.createArrayNode().add(o).toString();
                };

        assertThatThrownBy(() -> reads().read(List.of(JOB_A), false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("lacks the response to eth_call");
    }

    @Test
    void shouldRefuseATruncatedBatchAnswer() {
        wholeBody = request -> "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x";

        assertThatThrownBy(() -> reads().read(List.of(JOB_A), false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("batch answer from http://127.0.0.1:")
                .hasMessageContaining("malformed");
    }

    @Test
    void shouldRefuseABatchAnswerThatAnswersOneIdTwice() {
        wholeBody =
                request -> {
                    ArrayNode out = JSON.createArrayNode();
                    for (int i = 0; i < request.size(); i++) {
                        ObjectNode o = value(uint(1));
                        o.put("jsonrpc", "2.0");
                        o.set("id", request.get(0).get("id"));
                        out.add(o);
                    }
                    return out.toString();
                };

        assertThatThrownBy(() -> reads().read(List.of(JOB_A), false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("twice");
    }

    private BatchReads reads() {
        return new BatchReads(endpoint, ACCOUNT, CORE_ENCODER, TOKEN_ENCODER);
    }

    private static String job(String jobId, long deadline, BigInteger fee, int status) {
        return "0x"
                + FunctionEncoder.encodeConstructor(
                        List.of(
                                new Bool(true),
                                new Bytes16(JobIds.toBytes(jobId)),
                                new Address(OWNER),
                                new Uint256(deadline),
                                new Uint256(fee),
                                new Uint256(status),
                                new Uint256(1_800_000_000L)));
    }

    private static String assignment(String node) {
        return "0x"
                + FunctionEncoder.encodeConstructor(
                        List.of(
                                new Address(node),
                                new Uint256(0),
                                new Uint256(0),
                                new Uint256(0),
                                new Uint256(0),
                                new Uint256(0)));
    }

    private static String uint(long v) {
        return "0x" + FunctionEncoder.encodeConstructor(List.of(new Uint256(v)));
    }

    private static ObjectNode value(String result) {
        ObjectNode out = JSON.createObjectNode();
        out.put("result", result);
        return out;
    }

    private static ObjectNode error(int code, String message, String data) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode error = out.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (data != null) {
            error.put("data", data);
        }
        return out;
    }
}
