package io.emeth.chain.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JSON-RPC proxy in front of anvil that can play a lagging backend (a load-balanced provider
 * whose node is behind, a restarted node): after {@link #lagTo(long)}, {@code latest} is that
 * block, {@code eth_blockNumber} answers it and blocks above it do not exist (null), as such a node
 * answers. After {@link #refuseRawTransaction(int, String)} it answers one {@code
 * eth_sendRawTransaction} with an error instead of passing it on, as a node refusing that
 * transaction does. After {@link #refuseStateOverrides()} or {@link #ignoreStateOverrides()} it
 * plays a provider without state overrides (the third parameter of {@code eth_call}, which the
 * indexer's JobDetailsBatch uses) that answers an error or runs the call without the override.
 * After {@link #refuseLogs} or {@link #garbleLogs} one {@code eth_getLogs} gets an error or an
 * answer that is no list of logs. Everything else goes to anvil unchanged, single calls and batches
 * alike.
 */
public final class LaggingRpcProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOT_LAGGING = -1;

    private final URI upstream;
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicLong lagBlock = new AtomicLong(NOT_LAGGING);
    private final AtomicLong laggingHeads = new AtomicLong();
    private final AtomicLong rawSends = new AtomicLong();
    private volatile long refuseSend = -1;
    private volatile String refusal = "";
    private final AtomicBoolean refuseOverrides = new AtomicBoolean();
    private final AtomicBoolean ignoreOverrides = new AtomicBoolean();
    private final AtomicLong refusedCalls = new AtomicLong();
    private final AtomicLong logsCalls = new AtomicLong();
    private final Map<Long, ObjectNode> logsFaults = new ConcurrentHashMap<>();

    private LaggingRpcProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** Starts a proxy of {@code upstream} (an http JSON-RPC URL) on a free local port. */
    public static LaggingRpcProxy start(String upstream) throws IOException {
        return new LaggingRpcProxy(URI.create(upstream));
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** From now on the backend's head is {@code block}. */
    public void lagTo(long block) {
        laggingHeads.set(0);
        lagBlock.set(block);
    }

    /** Serves anvil's own head again. */
    public void catchUp() {
        lagBlock.set(NOT_LAGGING);
    }

    /**
     * The {@code nth} {@code eth_sendRawTransaction} from now on (1 = the next) is answered with
     * {@code message} (JSON-RPC error -32003) and never reaches anvil; the others pass.
     */
    public void refuseRawTransaction(int nth, String message) {
        refusal = message;
        refuseSend = rawSends.get() + nth;
    }

    /** From now on an {@code eth_call} with a state override is answered with an error. */
    public void refuseStateOverrides() {
        refuseOverrides.set(true);
    }

    /** From now on an {@code eth_call}'s state override is dropped before anvil sees it. */
    public void ignoreStateOverrides() {
        ignoreOverrides.set(true);
    }

    /**
     * The {@code nth} {@code eth_getLogs} from now on (1 = the next, single or in a batch) is
     * answered with a JSON-RPC error {@code code}/{@code message} instead of its logs.
     */
    public void refuseLogs(int nth, int code, String message) {
        logsFaults.put(logsCalls.get() + nth, error(code, message));
    }

    /**
     * The {@code nth} {@code eth_getLogs} from now on is answered with {@code result} (e.g. an
     * object where a list of logs belongs) instead of its logs.
     */
    public void garbleLogs(int nth, JsonNode result) {
        ObjectNode fault = JSON.createObjectNode();
        fault.set("result", result);
        logsFaults.put(logsCalls.get() + nth, fault);
    }

    /** How many {@code eth_getLogs} calls reached the proxy. */
    public long logsCalls() {
        return logsCalls.get();
    }

    /** How many {@code eth_call}s with a state override were refused or stripped. */
    public long refusedCalls() {
        return refusedCalls.get();
    }

    /** How many times the lagging head was answered since {@link #lagTo}. */
    public long laggingHeads() {
        return laggingHeads.get();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream in = exchange.getRequestBody()) {
            JsonNode request = JSON.readTree(in.readAllBytes());
            JsonNode answer;
            if (request.isArray()) {
                ArrayNode out = JSON.createArrayNode();
                for (JsonNode call : request) {
                    out.add(answer(call));
                }
                answer = out;
            } else {
                answer = answer(request);
            }
            byte[] body = JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        } catch (IOException | RuntimeException e) {
            exchange.sendResponseHeaders(500, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(500, -1);
        }
    }

    private JsonNode answer(JsonNode call) throws IOException, InterruptedException {
        long lag = lagBlock.get();
        String method = call.path("method").asText();
        if (method.equals("eth_sendRawTransaction") && rawSends.incrementAndGet() == refuseSend) {
            ObjectNode out = JSON.createObjectNode();
            out.put("jsonrpc", "2.0");
            out.set("id", call.get("id"));
            out.putObject("error").put("code", -32003).put("message", refusal);
            return out;
        }
        if (method.equals("eth_getLogs")) {
            ObjectNode fault = logsFaults.remove(logsCalls.incrementAndGet());
            if (fault != null) {
                ObjectNode out = fault.deepCopy();
                out.put("jsonrpc", "2.0");
                out.set("id", call.get("id"));
                return out;
            }
        }
        if (refuseOverrides.get() && method.equals("eth_call") && call.path("params").size() > 2) {
            refusedCalls.incrementAndGet();
            ObjectNode out = JSON.createObjectNode();
            out.put("jsonrpc", "2.0");
            out.set("id", call.get("id"));
            ObjectNode error = out.putObject("error");
            error.put("code", -32602);
            error.put("message", "too many arguments, want at most 2");
            return out;
        }
        if (ignoreOverrides.get() && method.equals("eth_call") && call.path("params").size() > 2) {
            refusedCalls.incrementAndGet();
            ObjectNode stripped = call.deepCopy();
            ((ArrayNode) stripped.get("params")).remove(2);
            return forward(stripped);
        }
        if (lag != NOT_LAGGING && method.equals("eth_blockNumber")) {
            return result(call, JSON.getNodeFactory().textNode(hex(lag)));
        }
        if (lag != NOT_LAGGING && method.equals("eth_getBlockByNumber")) {
            String block = call.path("params").path(0).asText();
            if (block.equals("latest")) {
                laggingHeads.incrementAndGet();
                ObjectNode rewritten = call.deepCopy();
                ((ArrayNode) rewritten.get("params")).set(0, hex(lag));
                return forward(rewritten);
            }
            if (block.startsWith("0x") && Long.parseLong(block.substring(2), 16) > lag) {
                return result(call, JSON.getNodeFactory().nullNode());
            }
        }
        return forward(call);
    }

    private JsonNode forward(JsonNode call) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(upstream)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(call)))
                        .build();
        return JSON.readTree(client.send(request, HttpResponse.BodyHandlers.ofByteArray()).body());
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode out = JSON.createObjectNode();
        out.putObject("error").put("code", code).put("message", message);
        return out;
    }

    private static JsonNode result(JsonNode call, JsonNode value) {
        ObjectNode out = JSON.createObjectNode();
        out.put("jsonrpc", "2.0");
        out.set("id", call.get("id"));
        out.set("result", value);
        return out;
    }

    private static String hex(long n) {
        return "0x" + Long.toHexString(n);
    }
}
