package io.emeth.worker.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches {@link NodeInfo} from the master's admin-rpc, retrying while the master is not up yet (a
 * worker and its master often start together) until {@code patience} runs out. A refusal (4xx, e.g.
 * the worker is not in {@code worker_whitelist}) or a malformed answer fails at once.
 */
public final class NodeInfoClient {
    private static final Logger log = LoggerFactory.getLogger(NodeInfoClient.class);

    /** The admin-rpc path, relative to {@code master_node_url}. */
    public static final String PATH = "/api/v1/node-info";

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final HttpClient http;
    private final Duration patience;

    public NodeInfoClient(Duration patience) {
        this.patience = patience;
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(REQUEST_TIMEOUT)
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .build();
    }

    /** The node-info URL of a master at {@code masterNodeUrl}. */
    public static URI url(URI masterNodeUrl) {
        return URI.create(masterNodeUrl.toString().replaceAll("/+$", "") + PATH);
    }

    /**
     * @throws IOException naming the URL when the master answered no usable node-info in time
     * @throws IllegalArgumentException when the answer is malformed (see {@link NodeInfo#parse})
     */
    public NodeInfo fetch(URI masterNodeUrl) throws IOException, InterruptedException {
        URI url = url(masterNodeUrl);
        long deadline = System.nanoTime() + patience.toNanos();
        Duration backoff = Duration.ofMillis(200);
        while (true) {
            try {
                NodeInfo info = once(url);
                log.info(
                        "Fetched node-info [url:{}, pool:{}, kafka:{}, registry:{}]",
                        url,
                        info.pool(),
                        info.kafkaBootstrapServers(),
                        info.schemaRegistryUrl());
                return info;
            } catch (Retryable e) {
                if (System.nanoTime() + backoff.toNanos() > deadline) {
                    throw new IOException(
                            "master_node_url: no node-info from "
                                    + url
                                    + " within "
                                    + patience.toSeconds()
                                    + " s ("
                                    + e.getMessage()
                                    + "); is the master's admin-rpc running at that URL?",
                            e.getCause());
                }
                log.info(
                        "Waiting for the master's node-info [url:{}, problem:{}]",
                        url,
                        e.getMessage());
                Thread.sleep(backoff.toMillis()); // backoff between attempts, not a race
                backoff =
                        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                                ? MAX_BACKOFF
                                : backoff.multipliedBy(2);
            }
        }
    }

    private NodeInfo once(URI url) throws IOException, InterruptedException, Retryable {
        HttpRequest request =
                HttpRequest.newBuilder(url)
                        .timeout(REQUEST_TIMEOUT)
                        .header("Accept", "application/json")
                        .GET()
                        .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new Retryable(e.toString(), e);
        }
        String body;
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(NodeInfo.MAX_BYTES + 1);
            body = new String(bytes, StandardCharsets.UTF_8);
        }
        int status = response.statusCode();
        if (status >= 500 || status == 429) {
            throw new Retryable("HTTP " + status, null);
        }
        if (status != 200) {
            throw new IOException(
                    "master_node_url: GET "
                            + url
                            + " answered HTTP "
                            + status
                            + (status == 403 || status == 401
                                    ? "; add this worker's address to the master's worker_whitelist"
                                    : "; is master_node_url the master's admin-rpc?")
                            + " ("
                            + clip(body)
                            + ")");
        }
        return NodeInfo.parse(body, url);
    }

    private static String clip(String body) {
        String printable = body.replaceAll("\\p{Cntrl}", " ").strip();
        return printable.length() <= 200 ? printable : printable.substring(0, 200) + "…";
    }

    /** A failure worth another attempt. */
    private static final class Retryable extends Exception {
        private static final long serialVersionUID = 1L;

        Retryable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
