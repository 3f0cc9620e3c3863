package io.emeth.chain.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.reactivex.disposables.Disposable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;
import org.web3j.protocol.websocket.WebSocketService;

/**
 * One connection to an Ethereum JSON-RPC endpoint: {@code http(s)://} through OkHttp with explicit
 * timeouts, {@code ws(s)://} through a WebSocket that also delivers {@code newHeads} notifications.
 * web3j's own polling interval is set explicitly (its default is 15 s).
 *
 * <p>Exists so the indexer and the gateway share one place that knows the transports, batches
 * requests and reconnects a dropped WebSocket.
 */
public final class EthEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EthEndpoint.class);

    private final URI uri;
    private final Duration pollInterval;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;
    private Web3jService service;
    private Web3j web3j;
    private Runnable headListener;
    private Disposable heads;

    private EthEndpoint(URI uri, Duration pollInterval, Duration timeout) {
        this.uri = uri;
        this.pollInterval = pollInterval;
        this.timeout = timeout;
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "web3j-" + uri.getPort());
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Connects to {@code uri}.
     *
     * @throws IllegalArgumentException naming the endpoint when its scheme is not http(s) or ws(s)
     * @throws IOException when a WebSocket endpoint refuses the connection
     */
    public static EthEndpoint connect(URI uri, Duration pollInterval, Duration timeout)
            throws IOException {
        requireSupported(uri);
        EthEndpoint endpoint = new EthEndpoint(uri, pollInterval, timeout);
        try {
            endpoint.open();
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            throw e;
        }
        return endpoint;
    }

    /** Whether {@code uri} uses a transport this class speaks; throws naming it otherwise. */
    public static void requireSupported(URI uri) {
        String scheme = uri == null ? null : uri.getScheme();
        if (scheme == null || !List.of("http", "https", "ws", "wss").contains(lower(scheme))) {
            throw new IllegalArgumentException(
                    "Ethereum endpoint '"
                            + uri
                            + "' is not an http(s):// or ws(s):// URL (e.g. http://127.0.0.1:8545)");
        }
    }

    public URI uri() {
        return uri;
    }

    public boolean isWebSocket() {
        return lower(uri.getScheme()).startsWith("ws");
    }

    /** The current client; after {@link #reconnect()} a new one. */
    public synchronized Web3j web3j() {
        return web3j;
    }

    /** The current transport, for requests web3j has no method for; after a reconnect, new. */
    public synchronized Web3jService service() {
        return service;
    }

    /**
     * Calls {@code listener} on every {@code newHeads} notification (WebSocket endpoints only; a
     * no-op over http, where the caller polls). Survives {@link #reconnect()}.
     */
    public synchronized void onNewHeads(Runnable listener) {
        this.headListener = listener;
        subscribeHeads();
    }

    /** Replaces a dropped WebSocket connection; http needs none. */
    public synchronized void reconnect() throws IOException {
        if (!isWebSocket()) {
            return;
        }
        log.info("Reconnecting to the Ethereum endpoint [endpoint:{}]", redacted());
        shutdownClient();
        open();
        subscribeHeads();
    }

    /**
     * Sends the requests as one JSON-RPC batch and answers the responses in request order. A
     * response carrying a JSON-RPC error is answered like any other (the caller decides per entry).
     *
     * @throws IOException when the transport fails, or the answer is not one response per request
     *     (not a JSON array, more or fewer entries, an id answered twice or missing)
     */
    public List<Response<?>> batch(List<Request<?, ? extends Response<?>>> requests)
            throws IOException {
        if (requests.isEmpty()) {
            return List.of();
        }
        BatchRequest batch = web3j().newBatch();
        requests.forEach(batch::add);
        BatchResponse answer;
        try {
            answer = batch.send();
        } catch (JsonProcessingException
                | ClassCastException
                | IndexOutOfBoundsException
                | IllegalArgumentException e) {
            // web3j casts the answer to a JSON array and decodes entry i as request i's type
            throw new IOException(
                    "batch answer from "
                            + redacted()
                            + " to "
                            + requests.size()
                            + " requests is malformed (not a JSON array of one response per"
                            + " request): "
                            + e.getMessage(),
                    e);
        }
        if (answer.getResponses().size() > requests.size()) {
            throw countMismatch(answer, requests);
        }
        Map<Long, Response<?>> byId = new HashMap<>();
        for (Response<?> response : answer.getResponses()) {
            if (byId.put(response.getId(), response) != null && !isWebSocket()) {
                throw new IOException(
                        "batch answer from "
                                + redacted()
                                + " answers id "
                                + response.getId()
                                + " twice");
            }
        }
        if (!isWebSocket() || byId.keySet().containsAll(ids(requests))) {
            return byIds(requests, byId);
        }
        // web3j's WebSocket transport renumbers a batch and decodes the answers in request order
        if (answer.getResponses().size() != requests.size()) {
            throw countMismatch(answer, requests);
        }
        return List.copyOf(answer.getResponses());
    }

    private IOException countMismatch(
            BatchResponse answer, List<Request<?, ? extends Response<?>>> requests) {
        return new IOException(
                "batch answer from "
                        + redacted()
                        + " has "
                        + answer.getResponses().size()
                        + " responses for "
                        + requests.size()
                        + " requests");
    }

    private List<Long> ids(List<Request<?, ? extends Response<?>>> requests) {
        return requests.stream().map(Request::getId).toList();
    }

    private List<Response<?>> byIds(
            List<Request<?, ? extends Response<?>>> requests, Map<Long, Response<?>> byId)
            throws IOException {
        List<Response<?>> ordered = new ArrayList<>(requests.size());
        for (Request<?, ?> request : requests) {
            Response<?> response = byId.get(request.getId());
            if (response == null) {
                throw new IOException(
                        "batch answer from "
                                + redacted()
                                + " lacks the response to "
                                + request.getMethod()
                                + " (id "
                                + request.getId()
                                + ")");
            }
            ordered.add(response);
        }
        return ordered;
    }

    /** The endpoint without user info or query (API keys often live there). */
    public String redacted() {
        return uri.getScheme()
                + "://"
                + uri.getHost()
                + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getPath() == null || uri.getPath().isEmpty() ? "" : "/…");
    }

    @Override
    public synchronized void close() {
        shutdownClient();
        scheduler.shutdownNow();
    }

    private void open() throws IOException {
        if (isWebSocket()) {
            WebSocketService ws = new WebSocketService(uri.toString(), false);
            try {
                ws.connect();
            } catch (ConnectException e) {
                throw new IOException(
                        "cannot connect to the Ethereum endpoint "
                                + redacted()
                                + ": "
                                + e.getMessage(),
                        e);
            }
            service = ws;
        } else {
            OkHttpClient client =
                    new OkHttpClient.Builder()
                            .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .writeTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .build();
            service = new HttpService(uri.toString(), client);
        }
        web3j = Web3j.build(service, Math.max(1, pollInterval.toMillis()), scheduler);
    }

    private void subscribeHeads() {
        if (heads != null) {
            heads.dispose();
            heads = null;
        }
        if (headListener == null || !isWebSocket()) {
            return;
        }
        Runnable listener = headListener;
        heads =
                web3j.newHeadsNotifications()
                        .subscribe(
                                head -> listener.run(),
                                error ->
                                        log.warn(
                                                "newHeads subscription ended, polling until"
                                                        + " reconnected [endpoint:{}, error:{}]",
                                                redacted(),
                                                error.toString()));
    }

    private void shutdownClient() {
        if (heads != null) {
            heads.dispose();
            heads = null;
        }
        if (web3j != null) {
            try {
                // Web3j.shutdown would also stop the shared scheduler
                service.close();
            } catch (IOException | RuntimeException e) {
                log.debug("Closing the Ethereum client failed [endpoint:{}]", redacted(), e);
            }
            web3j = null;
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
