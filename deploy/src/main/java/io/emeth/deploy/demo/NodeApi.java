package io.emeth.deploy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The node's read API as admin-rpc serves it ({@code /api/v1/jobs/{jobId}}, {@code
 * /api/v1/workers}, {@code /health}): what the demo watches, the same data the job board shows.
 */
public final class NodeApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public NodeApi(URI base) {
        this.base = base;
    }

    /** The board URL an operator opens. */
    public URI board() {
        return base.resolve("/board");
    }

    /** True when admin-rpc answers its health check. */
    public boolean healthy() {
        try {
            return get("/health").isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** The job as the board shows it, or empty while the node has not seen it yet. */
    public Optional<JsonNode> job(String jobId) throws IOException {
        return get("/api/v1/jobs/" + jobId);
    }

    /** The workers the node knows (an array). */
    public JsonNode workers() throws IOException {
        return get("/api/v1/workers").orElse(JSON.createArrayNode());
    }

    private Optional<JsonNode> get(String path) throws IOException {
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new IOException(
                        "GET " + request.uri() + " answered HTTP " + response.statusCode());
            }
            String body = response.body();
            return Optional.of(body.isBlank() ? JSON.createObjectNode() : readOrText(body));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: GET " + request.uri(), e);
        }
    }

    private static JsonNode readOrText(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.getNodeFactory().textNode(body);
        }
    }
}
