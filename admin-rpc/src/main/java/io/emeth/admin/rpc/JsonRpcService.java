package io.emeth.admin.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC 2.0 over any transport: takes a request body, answers the response body. Single requests
 * and batches, notifications (no reply), ids of type string, number (kept exactly) or null, and the
 * spec's errors: −32700 parse error, −32600 invalid request, −32601 method not found, −32602
 * invalid params, −32603 internal error. Parsing is bounded (nesting depth, number and string
 * lengths, batch size) so that hostile input costs little and gets an error, never a crash.
 *
 * <p>Transport-free by design: the Javalin adapter only reads the bounded body and writes the
 * reply, so every rule here is tested without a server.
 */
public final class JsonRpcService {
    private static final Logger log = LoggerFactory.getLogger(JsonRpcService.class);

    /** Deepest JSON nesting accepted; our requests need 3 levels. */
    public static final int MAX_NESTING = 64;

    /** Most requests in one batch. */
    public static final int MAX_BATCH = 100;

    /** The protocol version every request must name. */
    public static final String VERSION = "2.0";

    /** A reply: the HTTP status and the body, or no body (only notifications). */
    public record Reply(int httpStatus, byte[] body) {
        public boolean hasBody() {
            return body != null;
        }
    }

    private final ObjectMapper json;
    private final Map<String, RpcMethod> methods;
    private final MeterRegistry meters;

    public JsonRpcService(Map<String, RpcMethod> methods, MeterRegistry meters) {
        this.methods = new TreeMap<>(methods);
        this.meters = meters;
        this.json = mapper();
    }

    /** A mapper that parses untrusted JSON within bounds and keeps numbers exact. */
    public static ObjectMapper mapper() {
        JsonMapper mapper =
                JsonMapper.builder()
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                        .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                        .build();
        mapper.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder()
                                .maxNestingDepth(MAX_NESTING)
                                .maxNumberLength(1000)
                                .maxStringLength(1 << 20)
                                .build());
        return mapper;
    }

    /** The reply to {@code body}, sent by {@code caller}. */
    public Reply handle(byte[] body, RpcCaller caller) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            count("none", RpcException.PARSE_ERROR);
            return reply(error(null, RpcException.PARSE_ERROR, "Parse error: " + problem(e), null));
        } catch (IOException e) {
            count("none", RpcException.PARSE_ERROR);
            return reply(
                    error(null, RpcException.PARSE_ERROR, "Parse error: " + e.getMessage(), null));
        }
        if (root == null || root.isMissingNode()) {
            count("none", RpcException.PARSE_ERROR);
            return reply(
                    error(null, RpcException.PARSE_ERROR, "Parse error: the body is empty", null));
        }
        if (root.isArray()) {
            return batch((ArrayNode) root, caller);
        }
        ObjectNode response = one(root, caller);
        return response == null ? new Reply(204, null) : reply(response);
    }

    /** An error reply for a body the transport refused before parsing (too large, wrong type). */
    public Reply refuse(int httpStatus, String message) {
        count("none", RpcException.INVALID_REQUEST);
        return new Reply(
                httpStatus, bytes(error(null, RpcException.INVALID_REQUEST, message, null)));
    }

    /**
     * An error reply for a request the transport refused before reading it (a caller outside the
     * whitelist, a cross-origin page), {@code reason} in the error's data.
     */
    public Reply refuse(int httpStatus, int code, String message, String reason) {
        count("none", code);
        ObjectNode data = json.createObjectNode().put("reason", reason);
        return new Reply(httpStatus, bytes(error(null, code, message, data)));
    }

    private Reply batch(ArrayNode requests, RpcCaller caller) {
        if (requests.isEmpty()) {
            count("none", RpcException.INVALID_REQUEST);
            return reply(
                    error(
                            null,
                            RpcException.INVALID_REQUEST,
                            "Invalid Request: an empty batch",
                            null));
        }
        if (requests.size() > MAX_BATCH) {
            count("none", RpcException.INVALID_REQUEST);
            return reply(
                    error(
                            null,
                            RpcException.INVALID_REQUEST,
                            "Invalid Request: a batch of "
                                    + requests.size()
                                    + " requests is over the limit of "
                                    + MAX_BATCH
                                    + "; split it",
                            null));
        }
        ArrayNode responses = json.createArrayNode();
        for (JsonNode request : requests) {
            ObjectNode response = one(request, caller);
            if (response != null) {
                responses.add(response);
            }
        }
        return responses.isEmpty() ? new Reply(204, null) : reply(responses);
    }

    /** The response to one request, or null for a valid notification. */
    private ObjectNode one(JsonNode request, RpcCaller caller) {
        if (!request.isObject()) {
            return invalid(
                    null, "a request must be a JSON object, got " + RpcParams.typeOf(request));
        }
        JsonNode id = request.get("id");
        boolean notification = !request.has("id");
        if (id != null && !(id.isTextual() || id.isNumber() || id.isNull())) {
            return invalid(
                    null, "id must be a string, a number or null, got " + RpcParams.typeOf(id));
        }
        JsonNode version = request.get("jsonrpc");
        if (version == null || !version.isTextual() || !VERSION.equals(version.asText())) {
            return invalid(
                    id,
                    "jsonrpc must be \"2.0\", got "
                            + (version == null
                                    ? "nothing"
                                    : RpcParams.abbreviate(version.toString())));
        }
        JsonNode methodNode = request.get("method");
        if (methodNode == null || !methodNode.isTextual()) {
            return invalid(
                    id,
                    "method must be a string, got "
                            + (methodNode == null ? "nothing" : RpcParams.typeOf(methodNode)));
        }
        JsonNode params = request.get("params");
        if (params != null && !params.isObject() && !params.isArray()) {
            return invalid(
                    id, "params must be an object or an array, got " + RpcParams.typeOf(params));
        }
        String name = methodNode.asText();
        RpcMethod method = methods.get(name);
        if (method == null) {
            count("unknown", RpcException.METHOD_NOT_FOUND);
            return notification
                    ? null
                    : error(
                            id,
                            RpcException.METHOD_NOT_FOUND,
                            "Method not found: '"
                                    + RpcParams.abbreviate(name)
                                    + "'; available: "
                                    + String.join(", ", methods.keySet()),
                            null);
        }
        return call(name, method, params, id, notification, caller);
    }

    private ObjectNode call(
            String name,
            RpcMethod method,
            JsonNode params,
            JsonNode id,
            boolean notification,
            RpcCaller caller) {
        try {
            JsonNode result = method.call(new RpcParams(name, params), caller);
            count(name, 0);
            if (notification) {
                return null;
            }
            ObjectNode response = json.createObjectNode().put("jsonrpc", VERSION);
            response.set("result", result == null ? json.nullNode() : result);
            response.set("id", id);
            return response;
        } catch (RpcException e) {
            count(name, e.code());
            return notification ? null : error(id, e.code(), e.getMessage(), e.data());
        } catch (Exception e) {
            String errorId = UUID.randomUUID().toString().substring(0, 8);
            count(name, RpcException.INTERNAL_ERROR);
            log.error(
                    "JSON-RPC method failed [method:{}, caller:{}, errorId:{}]",
                    name,
                    caller.address(),
                    errorId,
                    e);
            ObjectNode data = json.createObjectNode().put("errorId", errorId);
            return notification
                    ? null
                    : error(
                            id,
                            RpcException.INTERNAL_ERROR,
                            "Internal error: "
                                    + name
                                    + " failed; the server log has the details under errorId "
                                    + errorId,
                            data);
        }
    }

    private ObjectNode invalid(JsonNode id, String message) {
        count("invalid", RpcException.INVALID_REQUEST);
        return error(id, RpcException.INVALID_REQUEST, "Invalid Request: " + message, null);
    }

    private ObjectNode error(JsonNode id, int code, String message, JsonNode data) {
        ObjectNode response = json.createObjectNode().put("jsonrpc", VERSION);
        ObjectNode error = response.putObject("error").put("code", code).put("message", message);
        if (data != null) {
            error.set("data", data);
        }
        response.set("id", id == null ? json.nullNode() : id);
        return response;
    }

    private Reply reply(JsonNode body) {
        return new Reply(200, bytes(body));
    }

    private byte[] bytes(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    private void count(String method, int code) {
        meters.counter(
                        "emeth_rpc_requests",
                        "method",
                        method,
                        "outcome",
                        code == 0 ? "ok" : Integer.toString(code))
                .increment();
    }

    private static String problem(JsonProcessingException e) {
        String message = RpcParams.abbreviate(String.valueOf(e.getOriginalMessage()));
        return e.getLocation() == null
                ? message
                : message
                        + " (line "
                        + e.getLocation().getLineNr()
                        + ", column "
                        + e.getLocation().getColumnNr()
                        + ")";
    }
}
