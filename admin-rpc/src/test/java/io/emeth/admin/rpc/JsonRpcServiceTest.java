package io.emeth.admin.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON-RPC 2.0 rules of {@link JsonRpcService}, transport-free. */
class JsonRpcServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> greeted = new ArrayList<>();
    private final JsonRpcService service =
            new JsonRpcService(
                    Map.of(
                            "greet",
                            (params, caller) -> {
                                calls.incrementAndGet();
                                String name = params.expect("name").requiredString("name", 0);
                                greeted.add(name);
                                return TextNode.valueOf("hello " + name);
                            },
                            "crash",
                            (params, caller) -> {
                                throw new IllegalStateException("secret internal detail");
                            },
                            "caller",
                            (params, caller) -> TextNode.valueOf(caller.address())),
                    new SimpleMeterRegistry());

    @Test
    void shouldAnswerAResultWithTheRequestsId() throws Exception {
        // When
        JsonNode reply =
                call(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":{\"name\":\"ada\"},\"id\":1}");

        // Then
        assertThat(reply.toString())
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":\"hello ada\",\"id\":1}");
    }

    @Test
    void shouldAcceptParamsByPosition() throws Exception {
        JsonNode reply =
                call(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":[\"bob\"],\"id\":\"x\"}");
        assertThat(reply.get("result").asText()).isEqualTo("hello bob");
        assertThat(reply.get("id").asText()).isEqualTo("x");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"abc\"",
                "\"\"",
                "0",
                "-7",
                "123456789012345678901234567890",
                "1.50",
                "-2.5e-7",
                "null"
            })
    void shouldEchoIdsOfEveryAllowedTypeExactly(String id) throws Exception {
        // When
        String body =
                "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":[\"x\"],\"id\":" + id + "}";
        byte[] reply = service.handle(bytes(body), RpcCaller.UNKNOWN).body();

        // Then the id comes back as it was written (numbers keep every digit)
        assertThat(new String(reply, StandardCharsets.UTF_8))
                .endsWith("\"id\":" + normalised(id) + "}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1}", "[1]", "true", "false"})
    void shouldRefuseIdsThatAreNotStringNumberOrNull(String id) throws Exception {
        JsonNode reply =
                call(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":[\"x\"],\"id\":"
                                + id
                                + "}");
        assertError(reply, RpcException.INVALID_REQUEST, "id must be a string, a number or null");
        assertThat(reply.get("id").isNull()).isTrue();
        assertThat(calls).hasValue(0);
    }

    @Test
    void shouldExecuteANotificationWithoutReplying() {
        // When a request without an id arrives
        JsonRpcService.Reply reply =
                service.handle(
                        bytes("{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":[\"n\"]}"),
                        RpcCaller.UNKNOWN);

        // Then it ran, and nothing is answered (HTTP 204)
        assertThat(reply.hasBody()).isFalse();
        assertThat(reply.httpStatus()).isEqualTo(204);
        assertThat(greeted).containsExactly("n");
    }

    @Test
    void shouldNotReplyToAFailingNotification() {
        JsonRpcService.Reply unknown =
                service.handle(
                        bytes("{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}"), RpcCaller.UNKNOWN);
        JsonRpcService.Reply crash =
                service.handle(
                        bytes("{\"jsonrpc\":\"2.0\",\"method\":\"crash\"}"), RpcCaller.UNKNOWN);
        assertThat(unknown.hasBody()).isFalse();
        assertThat(crash.hasBody()).isFalse();
    }

    @Test
    void shouldAnswerABatchInOrderLeavingOutNotifications() throws Exception {
        // Given a batch of a call, a notification, an unknown method and an invalid request
        String batch =
                "[{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":[\"a\"],\"id\":1},"
                        + "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":[\"b\"]},"
                        + "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":\"2\"},"
                        + "{\"foo\":\"boo\"},"
                        + "1]";

        // When
        JsonNode reply = call(batch);

        // Then four answers come back, and both greetings ran
        assertThat(reply.isArray()).isTrue();
        assertThat(reply).hasSize(4);
        assertThat(reply.get(0).get("result").asText()).isEqualTo("hello a");
        assertError(reply.get(1), RpcException.METHOD_NOT_FOUND, "nope");
        assertThat(reply.get(1).get("id").asText()).isEqualTo("2");
        assertError(reply.get(2), RpcException.INVALID_REQUEST, "jsonrpc must be \"2.0\"");
        assertError(reply.get(3), RpcException.INVALID_REQUEST, "must be a JSON object");
        assertThat(greeted).containsExactly("a", "b");
    }

    @Test
    void shouldAnswerNothingToABatchOfNotifications() {
        JsonRpcService.Reply reply =
                service.handle(
                        bytes(
                                "[{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":[\"a\"]},"
                                        + "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":[\"b\"]}]"),
                        RpcCaller.UNKNOWN);
        assertThat(reply.hasBody()).isFalse();
        assertThat(greeted).containsExactly("a", "b");
    }

    @Test
    void shouldRefuseAnEmptyBatch() throws Exception {
        JsonNode reply = call("[]");
        assertError(reply, RpcException.INVALID_REQUEST, "empty batch");
    }

    @Test
    void shouldRefuseABatchOverTheLimitWithoutRunningAny() throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i <= JsonRpcService.MAX_BATCH; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append("{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":[\"x\"],\"id\":")
                    .append(i)
                    .append("}");
        }
        JsonNode reply = call(batch.append("]").toString());
        assertError(reply, RpcException.INVALID_REQUEST, "101 requests is over the limit of 100");
        assertThat(calls).hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "{",
                "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"id\":1",
                "{\"jsonrpc\":\"2.0\" \"method\":\"greet\"}",
                "not json",
                "{\"a\":1} trailing",
                "{\"id\":1,\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"greet\"}",
                "[1,2",
                "\u0000\u0001"
            })
    void shouldAnswerParseErrorToMalformedJson(String body) throws Exception {
        JsonNode reply = call(body);
        assertError(reply, RpcException.PARSE_ERROR, "Parse error");
        assertThat(reply.get("id").isNull()).isTrue();
    }

    @Test
    void shouldAnswerParseErrorToInvalidUtf8() throws Exception {
        byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};
        JsonNode reply = JSON.readTree(service.handle(body, RpcCaller.UNKNOWN).body());
        assertError(reply, RpcException.PARSE_ERROR, "Parse error");
    }

    @Test
    void shouldAnswerParseErrorToDeepNestingInsteadOfOverflowingTheStack() throws Exception {
        // Given 100,000 nested arrays inside a request
        String deep = "[".repeat(100_000) + "]".repeat(100_000);

        // When / Then
        JsonNode reply =
                call("{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":" + deep + ",\"id\":1}");
        assertError(reply, RpcException.PARSE_ERROR, "nesting depth");
    }

    @Test
    void shouldAnswerParseErrorToAnAbsurdlyLongNumber() throws Exception {
        JsonNode reply =
                call("{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"id\":" + "9".repeat(5000) + "}");
        assertError(reply, RpcException.PARSE_ERROR, "Parse error");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"method\":\"greet\",\"id\":1}",
                "{\"jsonrpc\":\"1.0\",\"method\":\"greet\",\"id\":1}",
                "{\"jsonrpc\":2.0,\"method\":\"greet\",\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":42,\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":null,\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":\"ada\",\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":7,\"id\":1}",
                "\"a string\"",
                "42",
                "null"
            })
    void shouldAnswerInvalidRequestToMalformedRequests(String body) throws Exception {
        JsonNode reply = call(body);
        assertError(reply, RpcException.INVALID_REQUEST, "Invalid Request");
        assertThat(calls).hasValue(0);
    }

    @Test
    void shouldAnswerMethodNotFoundNamingTheMethodsThatExist() throws Exception {
        JsonNode reply = call("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"id\":1}");
        assertError(reply, RpcException.METHOD_NOT_FOUND, "'rpc.discover'");
        assertThat(reply.at("/error/message").asText()).contains("available: caller, crash, greet");
    }

    @Test
    void shouldShortenAHostileMethodNameInTheError() throws Exception {
        JsonNode reply =
                call("{\"jsonrpc\":\"2.0\",\"method\":\"" + "m".repeat(100_000) + "\",\"id\":1}");
        assertError(reply, RpcException.METHOD_NOT_FOUND, "...");
        assertThat(reply.at("/error/message").asText()).hasSizeLessThan(300);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "[]",
                "{\"name\":42}",
                "{\"name\":null}",
                "{\"name\":\"a\",\"extra\":1}",
                "[\"a\",\"b\"]",
                "{\"nme\":\"a\"}"
            })
    void shouldAnswerInvalidParamsNamingTheProblem(String params) throws Exception {
        JsonNode reply =
                call(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"greet\",\"params\":"
                                + params
                                + ",\"id\":1}");
        assertError(reply, RpcException.INVALID_PARAMS, "greet");
        assertThat(greeted).isEmpty();
    }

    @Test
    void shouldAnswerInternalErrorWithoutLeakingTheException() throws Exception {
        JsonNode reply = call("{\"jsonrpc\":\"2.0\",\"method\":\"crash\",\"id\":9}");
        assertError(reply, RpcException.INTERNAL_ERROR, "Internal error");
        assertThat(reply.toString()).doesNotContain("secret internal detail");
        assertThat(reply.at("/error/data/errorId").asText()).hasSize(8);
        assertThat(reply.get("id").asInt()).isEqualTo(9);
    }

    @Test
    void shouldPassTheCallerToTheMethod() throws Exception {
        byte[] reply =
                service.handle(
                                bytes("{\"jsonrpc\":\"2.0\",\"method\":\"caller\",\"id\":1}"),
                                new RpcCaller("10.1.2.3"))
                        .body();
        assertThat(JSON.readTree(reply).get("result").asText()).isEqualTo("10.1.2.3");
    }

    @Test
    void shouldRefuseABodyTheTransportRejectedWithAnInvalidRequestError() throws Exception {
        JsonRpcService.Reply reply = service.refuse(413, "Invalid Request: too large");
        assertThat(reply.httpStatus()).isEqualTo(413);
        assertError(JSON.readTree(reply.body()), RpcException.INVALID_REQUEST, "too large");
    }

    private JsonNode call(String body) throws Exception {
        JsonRpcService.Reply reply = service.handle(bytes(body), RpcCaller.UNKNOWN);
        assertThat(reply.hasBody()).as("a reply to %s", body).isTrue();
        return JSON.readTree(reply.body());
    }

    private static void assertError(JsonNode reply, int code, String messagePart) {
        assertThat(reply.get("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(reply.has("result")).isFalse();
        assertThat(reply.at("/error/code").asInt()).isEqualTo(code);
        assertThat(reply.at("/error/message").asText()).contains(messagePart);
        assertThat(reply.has("id")).isTrue();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String normalised(String id) {
        return id.equals("-2.5e-7") ? "-2.5E-7" : id;
    }
}
